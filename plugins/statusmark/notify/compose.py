"""Messages from Jinja2 templates, each from the event as its group's tier may see it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jinja2

from ..audience import view_event
from ..model import AUDIENCES, Event, Site, Update
from ..render.markdown import render_update
from ..status import IMPACT_LABELS, STATUS_LABELS, UPDATE_LABELS
from .message import Message

PARTS = ("subject", "text", "html", "short")


def idempotency_key(key: str) -> str:
    """Stable across retries and runs, opaque to receivers: webhook-id, Message-ID, ..."""
    return "sm_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _when(moment: object) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""  # type: ignore[attr-defined]


class Composer:
    """Renders messages; site templates in ``overrides`` win over the package's defaults."""

    def __init__(self, site: Site, tier_urls: dict[int, str], overrides: Path | None = None):
        self.site = site
        self.tier_urls = tier_urls  # audience level -> that audience site's base URL (ends with /)
        loaders: list[jinja2.BaseLoader] = []
        if overrides is not None and overrides.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(overrides)))
        loaders.append(jinja2.PackageLoader("statusmark", "templates/notifications"))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(enabled_extensions=(), default_for_string=False),
            keep_trailing_newline=False,
            undefined=jinja2.StrictUndefined,
        )
        self._views: dict[tuple[str, int], Event | None] = {}

    def _template(self, channel_type: str, tier: str, part: str) -> jinja2.Template:
        names = [f"{channel_type}/{tier}.{part}.j2", f"{tier}.{part}.j2", f"default.{part}.j2"]
        return self.env.select_template(names)

    def view(self, event: Event, tier: int) -> Event | None:
        """The event filtered to ``tier``, once per event and tier."""
        cache_key = (event.id, tier)
        if cache_key not in self._views:
            self._views[cache_key] = view_event(event, tier)
        return self._views[cache_key]

    def compose(
        self,
        key: str,
        event: Event,
        update: Update,
        tier: int,
        channel_type: str,
        *,
        drill: bool = False,
        reminder: bool = False,
    ) -> Message | None:
        """The message for ``update`` at ``tier``; None if that tier sees nothing of it.

        A ``reminder`` restates the newest update the tier may see before a maintenance starts.
        """
        seen = self.view(event, tier)
        if seen is None:
            return None
        if reminder:
            shown = seen.updates[-1] if seen.updates else None
        else:
            shown = next((u for u in seen.updates if u.at == update.at), None)
        if shown is None:  # an internal update, for technical readers only
            return None
        text = shown.text.strip()
        statuses = dict(event.components)
        base = self.tier_urls.get(tier) or self.site.url
        affected = [
            {"id": c.id, "name": c.name, "status": statuses[c.id], "status_label": STATUS_LABELS[statuses[c.id]]}
            for c in self.site.components
            if c.id in statuses
        ]
        link = f"{base}incidents/{event.id}/"
        resolved = update is event.updates[-1] and event.closed
        context = {
            "site_name": self.site.name,
            "title": event.title,
            "kind": event.kind,
            "impact": event.impact,
            "impact_label": IMPACT_LABELS.get(event.impact, event.impact),
            "status": update.status,
            "status_label": UPDATE_LABELS.get(update.status, update.status),
            "components": affected,
            "text": text,
            "html": render_update(shown),
            "first_sentence": _first_sentence(text),
            "at": _when(update.at),
            "window": f"{_when(event.scheduled_start)} to {_when(event.scheduled_end)}"
            if event.scheduled_start
            else "",
            "next_update": _when(seen.next_update),
            "eta": _when(seen.eta),
            "resolved": resolved,
            "link": link,
            "tier": AUDIENCES[tier],
            "tags": list(seen.tags),  # view_event keeps tags for technical readers only
            "drill": drill,
            "reminder": reminder,
            "correction": update.revision > 0,
        }
        parts: dict[str, str] = {}
        for part in PARTS:
            rendered = self._template(channel_type, AUDIENCES[tier], part).render(
                context, subject=parts.get("subject", "")
            )
            parts[part] = rendered.strip() if part != "text" else re.sub(r"\n{3,}", "\n\n", rendered).strip() + "\n"
        return Message(
            key=key,
            idempotency_key=idempotency_key(key),
            event_id=event.id,
            title=event.title,
            subject=" ".join(parts["subject"].split()),
            text=parts["text"],
            html=parts["html"],
            short=" ".join(parts["short"].split()),
            link=link,
            impact=event.impact,
            status=update.status,
            resolved=resolved,
            components=tuple(c["name"] for c in affected),
            at=update.at,
            kind=event.kind,
            drill=drill,
            correction=update.revision > 0,
        )


def _first_sentence(text: str) -> str:
    plain = re.sub(r"[*_`#>\[\]]|\(https?://[^)]*\)", "", text)
    plain = " ".join(plain.split())
    match = re.match(r"(.+?[.!?])(\s|$)", plain)
    return match.group(1) if match else plain
