"""Feeds written directly are the bytes feedgen writes; text only lxml should judge goes to feedgen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedgen.feed
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from statusmark.fastview import view_site
from statusmark.model import AUDIENCES, Component, Event, Segment, Site, Update
from statusmark.render import feeds
from statusmark.render.markdown import render_update

from .conftest import corpus_site
from .test_speed_event import COMPONENTS, EDGE, events_of


def both_ways(site: Site) -> tuple[dict[str, str], dict[str, str]]:
    direct = feeds.feed_files(site, render_update)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(feeds, "writable", lambda texts, urls: False)  # every pair through feedgen
        reference = feeds.feed_files(site, render_update)
    return direct, reference


def test_generated_events_give_feedgens_bytes(tmp_path: Path):
    site = corpus_site(tmp_path / "corpus", 150, seed=5, name="Bench & <Co>", url="https://b.example/status/")
    for level in range(len(AUDIENCES)):
        direct, reference = both_ways(view_site(site, level))
        assert len(direct) == 2 * (1 + len(site.components))
        assert direct == reference


def test_edge_cases_and_an_empty_feed_give_feedgens_bytes():
    from .test_build import OPEN_INCIDENT, RESOLVED, UPCOMING

    events = events_of({"edge": EDGE, "open": OPEN_INCIDENT, "resolved": RESOLVED, "upcoming": UPCOMING})
    components = (*COMPONENTS, Component("idle", "Idle"))
    site = Site("S 'quoted' \"double\"", "https://s.example/", components, tuple(events))
    direct, reference = both_ways(site)
    assert direct == reference
    assert "<item>" not in direct["components/idle/history.rss"]  # no events: the epoch date
    assert "Thu, 01 Jan 1970 00:00:00 +0000" in direct["components/idle/history.rss"]


SAFE = st.text(st.sampled_from("aZ0 &<>\"';:/*_`#-\n\té€ \U0001f600"), min_size=1, max_size=40)
ANY = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
URL_PATH = st.text(st.sampled_from("ab/&<>\"' \n\t%?=#"), max_size=8)


def event_with(title: str, text: str, at: datetime) -> Event:
    update = Update(at, "investigating", (Segment(0, text),))
    return Event(id="e", path="e.md", title=title, kind="incident", impact="minor", components=(("api", "major_outage"),), updates=(update,))  # fmt: skip


def one_event_site(title: str, text: str, name: str, path: str, minutes: int) -> Site:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Site(name, f"https://s.example/{path}", COMPONENTS, (event_with(title, text, at),))


@settings(max_examples=300)
@given(title=SAFE, text=SAFE, name=SAFE, minutes=st.integers(min_value=-(10**6), max_value=10**7))
def test_markup_characters_are_written_directly_as_feedgen_writes_them(title: str, text: str, name: str, minutes: int):
    site = one_event_site(title.strip() or "t", text, name, "", minutes)
    calls = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(feedgen.feed, "FeedGenerator", lambda: calls.append(1))  # the direct path must not need it
        direct = feeds.feed_files(site, render_update)
    assert not calls
    assert direct == both_ways(site)[1]


@settings(max_examples=300)
@example(title="a\rb", text="x", name="n", path="", minutes=0)  # lxml writes &#13;
@example(title="t", text="x\x01", name="n", path="", minutes=0)  # lxml refuses
@example(title="t", text="x", name="n\ufffe", path="", minutes=0)
@example(title="t", text="x", name="n", path="a&b\n", minutes=0)  # attribute escaping
@given(title=ANY, text=ANY, name=ANY, path=URL_PATH, minutes=st.integers(min_value=-(10**6), max_value=10**7))
def test_any_text_gives_feedgens_bytes_or_feedgens_error(title: str, text: str, name: str, path: str, minutes: int):
    site = one_event_site(title, text, name, path, minutes)
    try:
        direct = feeds.feed_files(site, render_update)
    except ValueError as error:  # lxml refuses text that XML cannot hold: the same error as feedgen's
        with pytest.raises(ValueError) as reference:
            both_ways(site)
        assert str(reference.value) == str(error)
        return
    assert direct == both_ways(site)[1]


def test_a_component_feed_still_open_gets_older_events_after_the_others_are_full():
    """The history is read only until every component's feed is full: not one event sooner."""
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def on(eid: str, components: tuple[tuple[str, str], ...], hours: int) -> Event:
        update = Update(start + timedelta(hours=hours), "investigating", (Segment(0, eid),))
        return Event(id=eid, path=f"{eid}.md", title=eid, kind="incident", impact="minor", components=components, updates=(update,))  # fmt: skip

    api, other = COMPONENTS[0].id, COMPONENTS[1].id
    events = [on(f"api{n}", ((api, "major_outage"),), 100 - n) for n in range(5)]
    events += [
        on("both", ((api, "major_outage"), (other, "major_outage")), 50),
        on("old", ((other, "degraded_performance"),), 1),
    ]
    site = Site("S", "https://s.example/", COMPONENTS, tuple(events))
    files = feeds.feed_files(site, render_update, max_entries=2)
    api_feed, other_feed = files[f"components/{api}/history.rss"], files[f"components/{other}/history.rss"]
    assert "api0" in api_feed and "api1" in api_feed and "api2" not in api_feed and "both" not in api_feed
    assert "both" in other_feed and "old" in other_feed  # found after the api feed was full
    assert all(f"components/{c.id}/history.rss" in files for c in COMPONENTS)
