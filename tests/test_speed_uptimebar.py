"""The uptime bar written without Jinja is the bytes the ``uptime_bar`` macro renders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from statusmark.model import COMPONENT_STATUSES, Component, Site
from statusmark.render.pages import PageOptions, PageRenderer
from statusmark.render.uptimebar import uptime_bar
from statusmark.status import Day

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SITE = Site("Test", "https://s.example/", (Component("api", "API"),), ())


def renderer(override_dir: str | None = None) -> PageRenderer:
    return PageRenderer(SITE, NOW, PageOptions(0, 50, 7, 90, True), override_dir)


def by_macro(days: list[Day], percent: float, name: str) -> str:
    """The macro's own body: the renderer without the fast function."""
    env = renderer().env
    del env.globals["fast_uptime_bar"]
    return str(env.get_template("_macros.html").module.uptime_bar(days, percent, name))  # type: ignore[attr-defined]


titles = st.text(alphabet=st.sampled_from(["a", "Z", " ", "<", ">", "&", '"', "'", ";", "·", "é", "0"]), max_size=12)
day_lists = st.lists(
    st.builds(
        Day,
        st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
        st.floats(min_value=0, max_value=1, allow_nan=False),
        st.sampled_from(COMPONENT_STATUSES),
        st.lists(titles, max_size=3).map(tuple),
    ),
    max_size=6,
)


@settings(max_examples=150)
@given(days=day_lists, percent=st.floats(min_value=0, max_value=100, allow_nan=False), name=titles)
@example(days=[], percent=100.0, name="")
@example(
    days=[
        Day(date(2026, 11, 1), 0.99995, "major_outage", ('Errors on "orders" & <refunds>', "b")),
        Day(date(2026, 11, 2), 1.0, "operational", ()),
    ],
    percent=99.995,
    name="Public API & <friends>",
)
def test_the_fast_bar_is_the_macros_bytes(days: list[Day], percent: float, name: str) -> None:
    assert str(uptime_bar(days, percent, name)) == by_macro(days, percent, name)


def test_the_status_page_uses_it_unless_the_macros_are_overridden(tmp_path: Path) -> None:
    days = [Day(date(2026, 11, 1) + timedelta(days=n), 1.0, "operational", ()) for n in range(3)]
    assert renderer().env.globals["fast_uptime_bar"] is uptime_bar
    (tmp_path / "_macros.html").write_text("{% macro uptime_bar(days, percent, name) %}mine{% endmacro %}")
    overridden = renderer(str(tmp_path)).env
    assert "fast_uptime_bar" not in overridden.globals
    assert str(overridden.get_template("_macros.html").module.uptime_bar(days, 100.0, "x")) == "mine"  # type: ignore[attr-defined]
