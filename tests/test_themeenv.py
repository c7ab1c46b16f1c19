"""The theme's environments: the files MkDocs keeps, listed without walking dot folders;
no template compiled twice in a build."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jinja2
from mkdocs.structure.files import Files
from statusmark.builder import load_mkdocs_config
from statusmark.cli import main
from statusmark.datacache import TemplateCache
from statusmark.themeenv import ThemeLoader, use_theme_env

from .conftest import BASE_CONFIG, write_repo


def _theme_files(config, env: jinja2.Environment) -> list[tuple[str, str]]:
    files = Files([])
    files.add_files_from_theme(env, config)
    return [(f.src_uri, f.abs_src_path) for f in files]


def test_theme_files_are_those_of_the_stock_loader(tmp_path: Path) -> None:
    config_text = BASE_CONFIG.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    config_path = write_repo(tmp_path, {}, config_text)
    overrides = tmp_path / "overrides"
    for relative in (
        "assets/extra.css",  # kept
        "assets/logo.svg",
        "partials/footer.html",  # a template: MkDocs drops it
        ".hidden/kept-out.css",  # dotted folder at the root
        "assets/.cache/kept-out.js",  # dotted folder below
        ".dotfile",
        "assets/.also-dotted.css",
        "main.md",  # a Markdown file: dropped
    ):
        (overrides / relative).parent.mkdir(parents=True, exist_ok=True)
        (overrides / relative).write_text("x")
    config = load_mkdocs_config(config_path)
    stock = config.theme.get_env()
    assert not isinstance(stock.loader, ThemeLoader)

    use_theme_env(config.theme, None)
    ours = config.theme.get_env()
    assert isinstance(ours.loader, ThemeLoader)

    expected = _theme_files(config, stock)
    assert _theme_files(config, ours) == expected
    names = [uri for uri, _ in expected]
    assert "assets/extra.css" in names and not any(".hidden" in n or ".cache" in n for n in names)
    # Material's own static files are there; its 14,000 icons were never listed.
    assert any(n.startswith("assets/javascripts/") for n in names)
    assert len(ours.loader.list_templates()) < len(stock.loader.list_templates()) / 10
    # Templates in dotted folders still load by name (Material's icons are read that way).
    assert ours.get_template(".hidden/kept-out.css").render() == "x"


def test_no_template_is_compiled_twice_in_a_build(tmp_path: Path, fixed_now: str, monkeypatch) -> None:
    """Material's search plugin makes three environments of its own per build; with the
    bytecode cache given to every environment the theme makes, its template compiles once."""
    from .test_build import OPEN_INCIDENT

    config_path = write_repo(tmp_path, {"api.md": OPEN_INCIDENT})
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / "cache"))  # a cold cache
    monkeypatch.setattr(TemplateCache, "_memory", {})  # and nothing compiled earlier in this process
    compiled: Counter[str] = Counter()
    original = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled[filename or name or "<string>"] += 1
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    assert main(["build", "-f", str(config_path)]) == 0
    assert any(name.endswith("partials/language.html") for name in compiled)
    assert [name for name, count in compiled.items() if count > 1] == []
