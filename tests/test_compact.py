"""Pages lose the theme's indentation, and nothing a browser shows (``theme_fixes.compact``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import html5lib
import pytest
from statusmark.cli import main
from statusmark.render.theme_fixes import compact

from .conftest import write_repo
from .test_audience import CANARY_INCIDENT
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING

CODE = RESOLVED.replace(
    "normal speed.\n///\n",
    "normal speed.\n///\n\n/// technical\nRolled back:\n\n```\nkubectl rollout undo\n    --to-revision=3\n```\n///\n",
)


def test_indentation_between_tags_goes_and_text_stays():
    html = '<div>\n    <span class="x">\n      Title  here\n    </span>\n  \n  </div>\n<p>a <b>b</b>\n  <i>c</i></p>'
    assert (
        compact(html) == '<div>\n<span class="x">\n      Title  here\n    </span>\n</div>\n<p>a <b>b</b>\n<i>c</i></p>'
    )


@pytest.mark.parametrize(
    "verbatim",
    [
        "<pre><code><b>x</b>\n    <i>indented</i>\n</code></pre>",
        "<PRE class='a'>\n  <span>1</span>\n  <span>2</span>\n</PRE >",
        "<textarea>\n  <kept>\n</textarea>",
        '<script>if (a > b) {\n    x = "<y>"\n}</script>',
        "<style>a>\n  b { color: red }</style>",
    ],
)
def test_elements_whose_blanks_show_are_kept(verbatim: str):
    assert compact(f"<div>\n  {verbatim}\n  <p>x</p>\n</div>") == f"<div>\n{verbatim}\n<p>x</p>\n</div>"


def test_the_page_content_is_kept_byte_for_byte():
    content = "<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>"
    html = f"<main>\n    <article>\n      {content}\n    </article>\n  </main>"
    assert compact(html, content) == f"<main>\n<article>\n      {content}\n    </article>\n</main>"
    assert compact(html, "not in the page") == compact(html)


def _shown(path: Path) -> list[tuple[str, tuple, str]]:
    """What a browser builds from a page: each element, its attributes, and its text with
    every run of blanks as one space (as it shows, outside pre), in document order."""
    shown = []
    for element in html5lib.parse(path.read_bytes(), namespaceHTMLElements=False).iter():
        text = " ".join(f"{element.text or ''} {element.tail or ''}".split())
        shown.append((str(element.tag), tuple(sorted(element.attrib.items())), text))
    return shown


def test_every_page_of_every_site_shows_the_same_as_before(tmp_path: Path, fixed_now: str, monkeypatch):
    files = {"api-errors.md": OPEN_INCIDENT, "cdn.md": CODE, "db-upgrade.md": UPCOMING, "login.md": CANARY_INCIDENT}
    write_repo(tmp_path / "a", files)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert main(["build", "-f", str(tmp_path / "a/mkdocs.yml"), "--audience", "all"]) == 0
    monkeypatch.setattr("statusmark.plugin.compact", lambda html, content="": html)
    assert main(["build", "-f", str(tmp_path / "b/mkdocs.yml"), "--audience", "all"]) == 0
    pages = 0
    for site in ("site", "site-semi-technical", "site-technical"):
        for before in sorted((tmp_path / "b" / site).rglob("*.html")):
            after = tmp_path / "a" / site / before.relative_to(tmp_path / "b" / site)
            assert _shown(after) == _shown(before), after
            smaller = 0.9 if "incidents" in after.parts else 1  # an event page: mostly the theme
            assert after.stat().st_size < before.stat().st_size * smaller, after
            pages += 1
    assert pages > 30
    code = (tmp_path / "a/site-technical/incidents/cdn/index.html").read_text()
    assert "kubectl rollout undo\n    --to-revision=3\n</code></pre>" in code  # a reader's blanks stay
