"""Keys of generated pages: a digest of every input a page's bytes depend on.

A page whose key is the one recorded for the live site (and whose file is unchanged
there) is neither rendered nor written again. An event's own inputs are the bytes of its
file (its parse and its view for an audience are functions of them, the configured
components and the default audience); a page also depends on the theme shell it is put
into, the page templates, the site's name, address and components, and the audience.
A component's first page shows what "now" makes of its events (its status, its uptime
bars): those are part of its key, and "now" itself only where the site's own templates
could show it, so that a build an hour later writes it again only if its bars changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import Event
from .parsecache import code_digest
from .render import fastmd
from .render.pages import PageSpec
from .repository import FILE_DIGESTS
from .status import Day

if TYPE_CHECKING:
    from .fastpages import Theme
    from .plugin import StatusmarkPlugin

_PATH = attrgetter("path")
VERSION = "3"  # 2: an event page's key is its folder's prefix and its file's digest; 3: "now" left out
PACKAGE_TEMPLATES = Path(__file__).parent / "templates" / "pages"


def _hash(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def templates_digest(override_dir: str | None) -> str:
    """The page templates: packaged ones and the site's overrides."""
    parts = []
    for folder in (PACKAGE_TEMPLATES, Path(override_dir) if override_dir else None):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts.append(f"{path.relative_to(folder)}\x1e{path.read_bytes().hex()}")
    return _hash(*parts)


class PageKeys:
    def __init__(self, plugin: StatusmarkPlugin, theme: Theme):
        self.plugin, self.theme = plugin, theme
        site, options = plugin.site, plugin.renderer.options
        self.common = _hash(
            VERSION,
            code_digest(),  # any change to Statusmark's code or templates
            fastmd.VERSION,
            templates_digest(plugin.override_dir),
            site.name,
            site.url,
            repr(site.components),
            repr(site.groups),
            site.default_audience,
            repr(options),
        )
        self.shells: dict[int, str] = {}
        self.event_prefix: str | None = None
        # The digest of each event's file by the event object's id: an event is on three
        # or four pages (its own, history, its components'), and each look-up through its
        # path went to the event, its path and the table of every file (memory far apart).
        events = plugin.renderer.site.events
        self.digests: dict[int, str | None] = dict(zip(map(id, events), map(FILE_DIGESTS.get, map(_PATH, events))))

    def _shell(self, src_uri: str) -> str:
        depth = src_uri.count("/")
        if depth not in self.shells:
            self.shells[depth] = _hash(self.theme.shell_text(depth))
        return self.shells[depth]

    def event_page(self, event: Event) -> str | None:
        """The key of an event's page (``incidents/<id>.md``).

        Its path and title follow from its file (its id is the file's name, the manifest
        keys entries by path): the digest of the file's bytes after what every event page
        shares, with no hash per page.
        """
        digest = self.digests.get(id(event))
        if digest is None:
            return None
        if self.event_prefix is None:
            self.event_prefix = _hash(self.common, self._shell("incidents/x.md"), "event") + ":"
        return self.event_prefix + digest

    def of(self, spec: PageSpec) -> str | None:
        """The key of a list page (history, component); None for any other page."""
        context: dict[str, Any] = dict(spec.context)
        renderer = self.plugin.renderer
        now: tuple[Any, ...] = ()
        if spec.template == "history.html":
            size = max(renderer.options.history_page_size, 1)
            start = (context["number"] - 1) * size
            events: Sequence[Event] = renderer.site.events[start : start + size]
        elif spec.template == "component.html":
            size = max(renderer.options.history_page_size, 1)
            number = context.get("number", 1)
            component = context["component"]
            events = renderer.events_by_component.get(component.id, [])[(number - 1) * size : number * size]
            if number == 1:  # the status and uptime bars: what "now" makes of the events
                days, percent = renderer.uptime(component.id)
                now = (renderer.statuses[component.id], _days_key(days), percent)
                if self.plugin.override_dir:  # the site's templates are given "now" too
                    now += (renderer.now.isoformat(),)
        else:
            return None
        digests = list(map(self.digests.get, map(id, events)))  # twelve hundred lists of 25: C calls
        if None in digests:
            return None
        return _hash(
            self.common,
            self._shell(spec.src_uri),
            spec.src_uri,
            spec.title,
            context["number"],
            context["count"],
            *now,
            *digests,
        )


def _days_key(days: Sequence[Day]) -> str:
    """What a component's uptime bars show, for its page's key: the days they span, and the
    days anything touched (most are clear: a repr of all ninety was a tenth of the keys' time)."""
    if not days:
        return "-"
    touched = [(i, d) for i, d in enumerate(days) if d.touched]
    return f"{days[0].day.isoformat()}+{len(days)}:{touched!r}"
