"""The fast audience view equals ``audience.view_site``, field by field, at every level."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statusmark import audience, builder, fastview, prerender
from statusmark.loader import parse_event
from statusmark.model import DERIVED, PENDING, Approval, Event, Segment, Site, work_out
from statusmark.parsecache import decode_event, encode_event
from statusmark.render.fastevent import event_body
from statusmark.render.pages import Link, PageOptions, PageRenderer, summary_around_hole

from .conftest import write_repo
from .test_audience import CANARY_INCIDENT, CANARY_MAINTENANCE, incidents
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING

KNOWN = {"api", "dashboard", "database", "cdn"}
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
ACKED = """
---
title: Acknowledged
impact: minor
components: {api: degraded_performance}
approvals: [{role: legal, by: Dana}]
---

## 2026-11-20T10:00:00Z investigating

/// public
Address 10.0.0.1 <!-- lint-ok: ipv4 --> is public on purpose.
///

tech <!-- lint-ok: ipv4 --> note
"""


def site_of(texts: dict[str, str]) -> Site:
    events = []
    for name, text in texts.items():
        event, _ = parse_event(textwrap.dedent(text).lstrip("\n"), name.removesuffix(".md").split("/")[-1], name, KNOWN)
        if event is not None:
            events.append(event)
    return Site("S", "https://s.example/", (), tuple(events))


def derived(event: Event) -> dict[str, object]:
    """What an event works out from its fields (``model.DERIVED``), each worked out now."""
    found: dict[str, object] = {}
    for name in sorted(DERIVED):
        try:
            found[name] = getattr(event, name)
        except AssertionError:  # an event with neither updates nor a window has no start
            found[name] = AssertionError
    return found


def assert_same_views(site: Site) -> None:
    """The fast view equals the plain one, and the pages ``prerender`` makes from it (body,
    list line) are those of the plain one.

    The events' derived values are worked out first, as the build does before its views:
    a view keeps them only where they are still its own.
    """
    decoded = replace(site, events=tuple(decode_event(encode_event(e)) for e in site.events))
    for event in site.events + decoded.events:
        derived(event)
    for level in range(3):
        expected = audience.view_site(site, level)
        assert fastview.view_site(site, level) == expected
        assert fastview.view_site(decoded, level) == expected  # with the cache's acknowledgement_free
        fresh = [derived(e) for e in expected.events]  # views made with replace: worked out anew
        assert [derived(e) for e in fastview.view_site(decoded, level).events] == fresh
        names = {c: c.upper() for c in sorted(KNOWN)}
        job = prerender.Prerender((level,), names=tuple(names.items()))
        for event in site.events:
            seen = audience.view_event(event, level)
            link = Link(f"incidents/{event.id}/", True)
            made = (event_body(seen, names, link), summary_around_hole(seen, True)) if seen else None
            assert prerender.render_pages(event, job) == (made,)


class _Watched(str):
    """A text that counts how often it is searched."""

    searched = 0

    def __contains__(self, part: object) -> bool:
        _Watched.searched += 1
        return super().__contains__(part)  # type: ignore[operator]


def test_views_read_texts_only_of_events_with_acknowledgements():
    site = site_of({"a.md": OPEN_INCIDENT, "f.md": ACKED})
    plain, acked = (decode_event(encode_event(e)) for e in site.events)
    assert (plain.acknowledgement_free, acked.acknowledgement_free) == (True, False)
    assert plain.__dict__["acknowledgement_free"] is True  # set by the cache, not worked out again

    def watched(event):
        updates = tuple(
            replace(u, segments=tuple(Segment(s.audience, _Watched(s.text)) for s in u.segments)) for u in event.updates
        )
        copy = replace(event, updates=updates)
        copy.__dict__["acknowledgement_free"] = event.acknowledgement_free
        return copy

    _Watched.searched = 0
    for level in range(3):
        seen = fastview.view_event(watched(plain), level)
        assert seen is not None and seen.updates  # made (see model._Deferred)
    assert _Watched.searched == 0
    views = [fastview.view_event(watched(acked), level) for level in range(3)]
    assert all("lint-ok" not in s.text for view in views if view for u in view.updates for s in u.segments)
    assert _Watched.searched > 0
    # A copy made with replace works the answer out again from its own text.
    assert replace(plain, updates=acked.updates).acknowledgement_free is False


def test_fixture_events_view_the_same():
    texts = {"a.md": OPEN_INCIDENT, "b.md": RESOLVED, "c.md": UPCOMING, "d.md": CANARY_INCIDENT}
    texts |= {"e.md": CANARY_MAINTENANCE, "f.md": ACKED}
    site = site_of(texts)
    assert len(site.events) == 6
    assert_same_views(site)
    draft = replace(site.events[0], draft=True)
    assert_same_views(replace(site, events=(draft, *site.events[1:])))


@settings(max_examples=60)
@given(case=incidents(), internal_only=st.booleans())
def test_random_events_view_the_same(case, internal_only: bool):
    files, _ = case
    if internal_only:  # an event whose only updates are internal disappears below technical
        files["z.md"] = "---\ntitle: Z\n---\n\n## 2026-11-20T10:00:00Z investigating (internal)\n\nonly us\n"
    assert_same_views(site_of(files))


def test_a_build_makes_the_event_pages_of_its_audiences_with_the_parse(tmp_path, fixed_now: str, monkeypatch):
    config = write_repo(tmp_path, {"a.md": CANARY_INCIDENT, "b.md": ACKED, "c.md": OPEN_INCIDENT})
    for levels in ((), (0,), (1,), (0, 2), (0, 1, 2)):
        monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / f"cache-{levels}"))  # every file parsed
        _, site, _ = builder._load_and_check(config, render_for=levels)
        names = {c.id: c.name for c in site.components}
        made = prerender.store().as_dict()
        assert set(made) == {(e.id, level) for e in site.events for level in levels}
        for (event_id, level), found in made.items():
            view = fastview.view_event(next(e for e in site.events if e.id == event_id), level)
            link = Link(f"incidents/{event_id}/", True)
            assert view and found == (event_body(view, names, link), summary_around_hole(view, True))
            assert found[1] and found[0].startswith("\n<h1>")
            assert "lint-ok" not in found[0]  # as the view hands the text over
            pages = prerender.made_for(level, True, names)
            assert pages.body(event_id) == found[0] and pages.line(event_id) == (True, found[1])
        assert (prerender.made_for(1, True, names) is prerender.NOTHING) == (1 not in levels)
    # Made for other pages: other links, other component names.
    assert prerender.made_for(0, False, names) is prerender.NOTHING
    assert prerender.made_for(0, True, {}) is prerender.NOTHING
    assert any("lint-ok" in s.text for e in site.events for u in e.updates for s in u.segments)
    _, site, _ = builder._load_and_check(config, render_for=(2,))
    assert not prerender.store().as_dict()  # files read from the parse cache are not parsed, nor rendered, again
    # A site with its own event template renders its event pages with it, in each audience's build.
    (tmp_path / "templates" / "pages").mkdir(parents=True)
    (tmp_path / "templates" / "pages" / "event.html").write_text("{{ event.title }}")
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / "cache-own"))
    builder._load_and_check(config, render_for=(0, 1, 2))
    assert not prerender.store().as_dict()


def test_only_a_renderer_of_the_site_just_loaded_takes_the_pages_made_with_its_parse(tmp_path, fixed_now: str):
    config = write_repo(tmp_path, {"a.md": OPEN_INCIDENT})
    _, site, _ = builder._load_and_check(config, render_for=(0,))
    event = site.events[0]
    assert prerender.store().as_dict()[(event.id, 0)]
    # Another site, its event under the same id and its components named alike (a test, a
    # program calling Statusmark): it is rendered from its own event, not the load's.
    other = replace(site, events=(replace(event, title="Another event altogether"),))
    spec = PageRenderer.event_spec(other.events[0])
    options = PageOptions(0, use_directory_urls=True)
    assert "Another event altogether" in PageRenderer(fastview.view_site(other, 0), NOW, options).render(spec)
    # The plugin's renderer, of the site just loaded, takes them; a later load's pages never
    # reach a table handed out before it.
    taken = PageRenderer(fastview.view_site(site, 0), NOW, options, made_with_parse=True)
    assert taken.render(PageRenderer.event_spec(event)) == prerender.store().as_dict()[(event.id, 0)][0]
    handed_out = taken.prerendered
    builder._load_and_check(write_repo(tmp_path / "b", {"a.md": RESOLVED}), render_for=(0,))
    assert prerender.store() is not handed_out.store and handed_out.body(event.id) == taken.render(spec)
    assert prerender.store().as_dict()[(event.id, 0)][0] != taken.render(spec)


def test_a_views_updates_are_made_at_their_first_read():
    event = site_of({"a.md": OPEN_INCIDENT}).events[0]  # no internal update
    work_out([event])  # as a build does before its audiences' views
    for level in (0, 1):
        view = fastview.view_event(event, level)
        assert view is not None and "updates" not in view.__dict__ and PENDING in view.__dict__
        assert view.status == event.status  # worked out from the event's updates: no internal one here
        assert "updates" not in view.__dict__
        assert view.updates == audience.view_event(event, level).updates  # type: ignore[union-attr]
        assert PENDING not in view.__dict__ and view.__dict__["updates"] is view.updates
    internal = site_of({"i.md": INTERNAL_LAST}).events[0]
    work_out([internal])
    view = fastview.view_event(internal, 0)
    assert internal.status == "identified" and view is not None and view.status == "investigating"
    with pytest.raises(AttributeError):
        Event.updates  # noqa: B018  (a field without a default, as before)
    with pytest.raises(AttributeError):
        object.__new__(Event).updates  # noqa: B018


INTERNAL_LAST = """
---
title: Internal last
impact: minor
components: {api: degraded_performance}
---

## 2026-11-20T10:00:00Z investigating

/// public
Looking.
///

## 2026-11-20T10:30:00Z identified (internal)

Only us.
"""


def test_an_event_read_from_the_cache_makes_its_updates_at_their_first_read():
    texts = {"a.md": OPEN_INCIDENT, "b.md": RESOLVED, "c.md": UPCOMING, "d.md": CANARY_INCIDENT}
    texts |= {"e.md": CANARY_MAINTENANCE, "f.md": ACKED, "i.md": INTERNAL_LAST}
    for event in site_of(texts).events:
        decoded = decode_event(encode_event(event))
        assert "updates" not in decoded.__dict__ and PENDING in decoded.__dict__
        assert {name: decoded.__dict__[name] for name in DERIVED} == derived(event)  # stored, not worked out
        assert [type(decoded.__dict__[name]) for name in sorted(DERIVED)] == [type(v) for v in derived(event).values()]
        assert "updates" not in decoded.__dict__
        assert decoded == event and decoded.__dict__["updates"] == event.updates
        assert PENDING not in decoded.__dict__


def test_views_make_their_events_own_updates_once():
    """Read through any view, a cached event's updates are made once, on the event itself,
    and shared by all its views (in an audience's process, the views of that audience)."""
    event = site_of({"a.md": OPEN_INCIDENT}).events[0]
    event = replace(event, approvals=(Approval("legal", "Dana", None),))  # the technical view is a copy
    for level in range(3):
        cached = decode_event(encode_event(event))
        view = fastview.view_event(cached, level)
        assert view is not None and view is not cached and "updates" not in cached.__dict__
        assert view.updates == audience.view_event(event, level).updates  # type: ignore[union-attr]
        assert "updates" in cached.__dict__ and PENDING not in cached.__dict__
        again = fastview.view_event(cached, level)
        assert again is not None and again.updates == view.updates
        if level == 2:
            assert again.updates is cached.updates
