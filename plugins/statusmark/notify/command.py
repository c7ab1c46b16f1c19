"""`statusmark notify`: load the site and the stakeholder config, plan, reconcile, send, report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import ConfigFileError, Problem, ProblemsFound, errors_only
from ..model import AUDIENCES, Component, Site
from .compose import Composer
from .config import Contact, Group, NotifyConfig, load_notify_config, load_subscribers
from .ledger import CONFIRMED, FAILED, SENDING, UNKNOWN, open_ledger
from .plan import plan
from .run import Report, Runner

SEND_VARIABLE = "STATUSMARK_NOTIFY"


@dataclass(frozen=True)
class Loaded:
    site: Site
    config: NotifyConfig
    base: Path  # the folder of mkdocs.yml
    tier_urls: dict[int, str]

    def groups_named(self, names: list[str], command: str) -> list[Group]:
        """The groups ``names`` name, in order and once each; unknown names are a config error."""
        known = {g.id: g for g in self.config.groups}
        unknown = [g for g in names if g not in known]
        if unknown:
            raise ConfigFileError(
                f"{command}: no group {', '.join(map(repr, unknown))}; groups: {', '.join(known) or 'none configured'}"
            )
        return [known[g] for g in dict.fromkeys(names)]


def notify_config_path(config_file: Path, configured: str) -> Path:
    return (config_file.parent / configured).resolve()


def check_notifications(
    config_file: Path, plugin_config: object, components: tuple[Component, ...]
) -> tuple[NotifyConfig, list[Problem]]:
    configured = getattr(plugin_config, "notifications", "notifications.yml")
    return load_notify_config(notify_config_path(config_file, configured), components)


def load(config_file: Path) -> Loaded:
    """Site and notification config, or ``ProblemsFound`` naming every error in either."""
    from ..builder import check_with_options

    site, problems, options = check_with_options(config_file)
    config, notify_problems = check_notifications(config_file, options, site.components)
    errors = errors_only(problems + notify_problems)
    if errors:
        raise ProblemsFound(errors)
    tier_urls = {0: site.url}
    for level, name in enumerate(AUDIENCES[1:], start=1):
        audience = options.audiences.get(name)
        if audience is not None and audience.site_url:
            tier_urls[level] = audience.site_url.rstrip("/") + "/"
    return Loaded(site, config, config_file.parent.resolve(), tier_urls)


def subscribers_of(loaded: Loaded, environ: Mapping[str, str], report: Report) -> dict[str, tuple[Contact, ...]]:
    """Each group's contacts from its subscriber file, named by an environment variable."""
    found: dict[str, tuple[Contact, ...]] = {}
    components = {c.id: c for c in loaded.site.components}
    for group in loaded.config.groups:
        if group.subscribers is None:
            continue
        path = environ.get(group.subscribers.name, "")
        if not path:
            report.notes.append(
                f"group {group.id}: ${group.subscribers.name} is not set; its subscribers are not reached"
            )
            continue
        contacts, problems = load_subscribers(Path(path), components)
        if errors_only(problems):
            raise ProblemsFound(problems)
        found[group.id] = contacts
    return found


def run_notify(
    config_file: Path,
    *,
    now: datetime,
    send: bool,
    outbox: Path | None = None,
    only: str = "",
    ledger_spec: str = "",
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    env = os.environ if environ is None else environ
    loaded = load(config_file)
    report = Report()
    subscribers = subscribers_of(loaded, env, report)
    ledger = open_ledger(ledger_spec or env.get("STATUSMARK_LEDGER", "") or loaded.config.settings.ledger, loaded.base)
    try:
        baseline = ledger.baseline
        if baseline is None:
            # A first run on a repository with history: only what is recent is news.
            baseline = now - loaded.config.settings.first_run_window
            if send:
                ledger.set_baseline(baseline)
            report.notes.append(f"first run: updates before {baseline:%Y-%m-%d %H:%M} UTC are history, not notified")
        due = plan(loaded.site, loaded.config, now, baseline, subscribers, only)
        composer = Composer(loaded.site, loaded.tier_urls, loaded.base / "templates" / "notifications")
        runner = Runner(
            loaded.config, composer, ledger, now, send=send, outbox=outbox, environ=environ, sleep=sleep, report=report
        )
        runner.run(due)
    finally:
        ledger.close()
    if not loaded.config.groups:
        report.notes.append(
            f"no stakeholder groups configured ({notify_config_path(config_file, 'notifications.yml').name})"
        )
    return report


def settle(config_file: Path, keys: list[str], delivered: bool, *, now: datetime, ledger_spec: str = "") -> list[str]:
    """A person's verdict on sends whose outcome was unknown: delivered (never resend) or resend.

    Returns one line per key saying what was recorded; a key the ledger does not hold as
    unknown is refused, so a typo cannot mark a real notification as sent.
    """
    loaded = load(config_file)
    ledger = open_ledger(
        ledger_spec or os.environ.get("STATUSMARK_LEDGER", "") or loaded.config.settings.ledger, loaded.base
    )
    lines = []
    try:
        for key in keys:
            entry = ledger.state(key)
            if entry is None or entry.state not in (UNKNOWN, SENDING):
                raise ConfigFileError(
                    f"{key}: not a send with an unknown outcome (state: {entry.state if entry else 'none'})"
                )
            if delivered:
                ledger.record(key, CONFIRMED, now, id=entry.id, detail="confirmed delivered by a person")
                lines.append(f"{key}: confirmed delivered; it will not be sent again")
            else:
                ledger.record(key, FAILED, now, id=entry.id, detail="a person asked to resend")
                lines.append(f"{key}: will be sent again by the next run (same idempotency key)")
    finally:
        ledger.close()
    return lines
