"""Event pages and lines written without Jinja are the bytes the templates render."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statusmark.fastview import view_site
from statusmark.loader import parse_event
from statusmark.model import AUDIENCES, Component, Site
from statusmark.render.pages import PageOptions, PageRenderer, event_src, event_url, url_for

from .conftest import corpus_site
from .test_audience import CANARY_INCIDENT, CANARY_MAINTENANCE
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
COMPONENTS = (
    Component("api", "Public API & <friends>", group="Product"),
    Component("dashboard", "Dashboard", group="Product"),
    Component("database", "Data storage", group="Infrastructure"),
    Component("cdn", "File delivery", group="Infrastructure"),
)
EDGE = """
---
title: 'Errors on "orders" & <refunds>'
impact: critical
tags: [a&b, "<x>"]
postmortem: https://example.com/pm?a=1&b="2"
next_update: 2026-11-23T13:00:00Z
eta: 2026-11-23T15:00:00Z
components: {api: major_outage, cdn: degraded_performance}
---

## 2026-11-23T10:00:00Z investigating

/// public
We're *looking* at <it> & more.
///

Internal detail.

## 2026-11-23T10:30:00Z identified (internal)

Only engineers.
"""


def renderers(site: Site, level: int, use_urls: bool = True) -> tuple[PageRenderer, PageRenderer]:
    view = view_site(site, level)
    fast = PageRenderer(view, NOW, PageOptions(level, use_directory_urls=use_urls))
    slow = PageRenderer(view, NOW, PageOptions(level, use_directory_urls=use_urls))
    slow.fast_events = False
    return fast, slow


def events_of(texts: dict[str, str]) -> list:
    known = {c.id for c in COMPONENTS}
    events = []
    for name, text in texts.items():
        event, problems = parse_event(textwrap.dedent(text).lstrip("\n"), name, f"{name}.md", known)
        assert event is not None and not [p for p in problems if p.severity == "error"], problems
        events.append(event)
    return events


@pytest.mark.parametrize("level", range(len(AUDIENCES)))
def test_edge_cases_render_the_same_either_way(level: int):
    events = events_of(
        {"edge": EDGE, "open": OPEN_INCIDENT, "resolved": RESOLVED, "upcoming": UPCOMING}
        | {"canary": CANARY_INCIDENT, "maint": CANARY_MAINTENANCE}
    )
    site = Site("S", "https://s.example/", COMPONENTS, tuple(events))
    fast, slow = renderers(site, level)
    specs = [s for s in fast.specs() if s.template == "event.html"]
    assert len(specs) >= 5
    for spec in specs:
        assert fast.render(spec) == slow.render(spec), spec.src_uri
    for spec in fast.specs():  # history and component pages: their event lines
        assert fast.render(spec) == slow.render(spec), spec.src_uri


def test_generated_events_render_the_same_either_way(tmp_path: Path):
    site = corpus_site(tmp_path / "corpus", 120, seed=11)
    for level in range(len(AUDIENCES)):
        for use_urls in (True, False):
            fast, slow = renderers(site, level, use_urls)
            for spec in fast.specs():
                assert fast.render(spec) == slow.render(spec), spec.src_uri


def test_an_overridden_template_is_used(tmp_path: Path):
    (tmp_path / "event.html").write_text("custom {{ event.title }}")
    site = Site("S", "https://s.example/", COMPONENTS, tuple(events_of({"open": OPEN_INCIDENT})))
    renderer = PageRenderer(site, NOW, PageOptions(2), str(tmp_path))
    spec = next(s for s in renderer.specs() if s.template == "event.html")
    assert not renderer.fast_events and renderer.render(spec) == "custom Elevated error rates on the API"


@settings(max_examples=500)
@given(st.datetimes(timezones=st.just(UTC)))
def test_time_tags_are_the_escaping_formats_bytes(at: datetime):
    from markupsafe import Markup, escape
    from statusmark.render.timefmt import human, iso, time_tag

    expected = Markup('<time datetime="{}" data-sm-time>{}</time>').format(iso(at), escape(human(at)))
    assert time_tag(at) == expected and str(time_tag(at)) == str(expected)


@settings(max_examples=300)
@given(
    folders=st.lists(st.sampled_from(["incidents", "history", "components", "api", "2"]), max_size=3),
    name=st.sampled_from(["index.md", "x.md", "2.md"]),
    use_urls=st.booleans(),
    event_id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True),
)
def test_the_way_up_of_a_list_line_is_the_relative_link(folders, name, use_urls: bool, event_id: str):
    from statusmark.render.pages import Link, url_for

    link = Link(url_for("/".join([*folders, name]), use_urls), use_urls)
    up = link.up_to("incidents")
    target = f"incidents/{event_id}.md"
    assert up is None or link(target) == up + url_for(target, use_urls)
    assert (up is None) == (bool(folders) and folders[0] == "incidents" and link.here.count("/") > 0)


def test_a_line_whose_text_holds_the_hole_is_made_the_slow_way():
    from dataclasses import replace

    events = events_of({"open": OPEN_INCIDENT, "resolved": RESOLVED})
    odd = replace(events[0], title="Odd \x00 title")
    site = Site("S", "https://s.example/", COMPONENTS, (odd, events[1]))
    fast, slow = renderers(site, 0)
    for spec in fast.specs():
        assert fast.render(spec) == slow.render(spec), spec.src_uri
    assert set(fast._summary_parts) == {odd.id, events[1].id}  # both lines went through summaries
    assert fast._summary_parts[odd.id] is None and fast._summary_parts[events[1].id] is not None


@pytest.mark.parametrize("use_urls", [True, False])
@pytest.mark.parametrize("event_id", ["api-errors", "index", "v2.1-rollout", "x_1"])
def test_an_event_page_url_is_the_one_mkdocs_gives_its_source(event_id: str, use_urls: bool):
    assert event_url(event_id, use_urls) == url_for(event_src(event_id), use_urls)


@pytest.mark.parametrize("use_urls", [True, False])
def test_event_pages_made_with_the_parse_are_the_ones_each_audience_makes(
    tmp_path: Path, fixed_now: str, monkeypatch: pytest.MonkeyPatch, use_urls: bool
):
    """``prerender``: every event page and list line of every audience comes from the
    parse, byte for byte what the audience's own build writes without it."""
    from statusmark import builder, prerender
    from statusmark.cli import main
    from statusmark.render import pages

    from .conftest import BASE_CONFIG, write_repo
    from .test_build import tree_digest

    files = {"api.md": OPEN_INCIDENT, "cdn.md": RESOLVED, "up.md": UPCOMING, "login.md": CANARY_INCIDENT}
    files |= {"edge.md": EDGE, "window.md": CANARY_MAINTENANCE}
    config = BASE_CONFIG + ("" if use_urls else "use_directory_urls: false\n")
    made: list[str] = []
    lines: list[str] = []

    def counted(event, names, link):  # the audiences' own event pages
        made.append(event.id)
        return event_body(event, names, link)

    def counted_line(event, use_urls):  # and list lines
        lines.append(event.id)
        return summary_around_hole(event, use_urls)

    event_body, summary_around_hole = pages.event_body, pages.summary_around_hole
    monkeypatch.setattr(pages, "event_body", counted)
    monkeypatch.setattr(pages, "summary_around_hole", counted_line)
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", False)  # audiences built here, where ``made`` is
    sites = {}
    for way in ("with the parse", "in each audience"):
        root = tmp_path / way
        write_repo(root, files, config)
        monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / f"cache-{way}"))
        if way == "in each audience":
            monkeypatch.setattr(prerender, "made_for", lambda *args: prerender.NOTHING)
        assert main(["build", "-f", str(root / "mkdocs.yml"), "--audience", "all"]) == 0
        sites[way] = {name: tree_digest(root / name) for name in ("site", "site-semi-technical", "site-technical")}
        if way == "with the parse":
            assert made == lines == []
    pages_built = [name for site in sites["in each audience"].values() for name in site if name.startswith("incidents")]
    assert len(made) == len(pages_built) > 2 * len(files)
    assert sorted(lines) == sorted(made)  # each event's line, once per site it is on
    assert sites["with the parse"] == sites["in each audience"]
