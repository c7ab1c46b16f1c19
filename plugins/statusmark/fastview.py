"""``audience.view_site`` without rebuilding objects that do not change.

``view_event`` rebuilds every update and segment with ``dataclasses.replace`` (about a
second per audience for 10,000 events). The view only ever *drops* things: drafts,
internal updates below the technical level, segments above the reader's level, tags
below the technical level, approvals always, and ``<!-- lint-ok -->`` markers in text.
Here an update or segment that loses nothing is reused as is, and only what changes is
copied. The result is equal, field by field, to ``audience.view_site``
(``tests/test_speed_view.py`` checks it on generated and random events), and no text
above the reader's level survives: segments are kept only if ``audience <= level``.
Texts are read only in events that hold a marker to strip. What an event works out once
from its updates (``model.DERIVED``: status, times) comes along unless updates were dropped.

A view's updates are worked out at their first read (``model._Deferred``): an audience's
warm build reads those of the few events whose pages it writes again and of the newest
ones, not those of the 10,000 others.
"""

from __future__ import annotations

from functools import partial

from .lint import strip_acknowledgements
from .model import DERIVED, PENDING, TECHNICAL, Event, Segment, Site, Update

_new = object.__new__


def _copy(obj: object, **changes: object) -> object:
    clone = _new(type(obj))
    clone.__dict__.update(obj.__dict__)
    clone.__dict__.update(changes)
    return clone


def view_event(event: Event, level: int) -> Event | None:
    if event.draft:
        return None
    hidden = event.internal_updates if level < TECHNICAL else 0
    if hidden == event.update_count and not event.is_maintenance:
        return None  # nothing left to see
    marked = not event.acknowledgement_free  # else no text is read (see Event.acknowledgement_free)
    tags = event.tags if level >= TECHNICAL else ()
    if level >= TECHNICAL and not marked and not event.approvals and tags == event.tags:
        return event  # every update, block, tag of it is seen as it is
    view = _copy(event, tags=tags, approvals=())
    view.__dict__.pop("updates", None)
    # Read through the event: its own updates are made once (here, or in the process
    # this one was forked from) and shared by its views (see model._Deferred).
    view.__dict__[PENDING] = partial(_visible_updates, event, level, marked)
    if hidden:  # what was worked out from all the updates is not the view's
        for name in DERIVED:
            view.__dict__.pop(name, None)
    return view  # type: ignore[return-value]


def _visible_updates(event: Event, level: int, marked: bool) -> tuple[Update, ...]:
    if level >= TECHNICAL and not marked:
        return event.updates  # every update and block is seen as it is
    return _view_updates(event.updates, level, marked)[0]


def _view_updates(all_updates: tuple[Update, ...], level: int, marked: bool) -> tuple[tuple[Update, ...], bool]:
    """The updates a reader at ``level`` sees, and whether any was dropped or changed."""
    updates: list[Update] = []
    changed = False
    for update in all_updates:
        if update.internal and level < TECHNICAL:
            changed = True
            continue
        kept: list[Segment] = []
        dropped = False
        for segment in update.segments:
            if segment.audience > level:
                dropped = True
                continue
            if marked and "lint-ok" in segment.text:
                segment = Segment(segment.audience, strip_acknowledgements(segment.text))
                dropped = True
            kept.append(segment)
        if dropped:
            update = _copy(update, segments=tuple(kept))  # type: ignore[assignment]
            changed = True
        updates.append(update)
    return tuple(updates), changed


def view_site(site: Site, level: int) -> Site:
    events = tuple(v for v in (view_event(e, level) for e in site.events) if v is not None)
    return _copy(site, events=events)  # type: ignore[return-value]
