"""The fast audience view equals ``audience.view_site``, field by field, at every level."""

from __future__ import annotations

import textwrap
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from statusmark import audience, fastview
from statusmark.loader import parse_event
from statusmark.model import Site

from .test_audience import CANARY_INCIDENT, CANARY_MAINTENANCE, incidents
from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING

KNOWN = {"api", "dashboard", "database", "cdn"}
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


def assert_same_views(site: Site) -> None:
    for level in range(3):
        assert fastview.view_site(site, level) == audience.view_site(site, level)


def test_fixture_events_view_the_same():
    texts = {"a.md": OPEN_INCIDENT, "b.md": RESOLVED, "c.md": UPCOMING, "d.md": CANARY_INCIDENT}
    texts |= {"e.md": CANARY_MAINTENANCE, "f.md": ACKED}
    site = site_of(texts)
    assert len(site.events) == 6
    assert_same_views(site)
    draft = replace(site.events[0], draft=True)
    assert_same_views(replace(site, events=(draft, *site.events[1:])))


@settings(max_examples=60, deadline=None)
@given(case=incidents(), internal_only=st.booleans())
def test_random_events_view_the_same(case, internal_only: bool):
    files, _ = case
    if internal_only:  # an event whose only updates are internal disappears below technical
        files["z.md"] = "---\ntitle: Z\n---\n\n## 2026-11-20T10:00:00Z investigating (internal)\n\nonly us\n"
    assert_same_views(site_of(files))
