"""`statusmark preview`: what a pull request changes, as GitHub-flavoured Markdown for reviewers.

Per changed event: what each audience will read (and a diff against the base), the
component status changes, the notifications the merge would send (group, tier, channel,
contacts, and which approvals still hold them), and the privacy lint's findings.
Nothing is sent and nothing is written: the base is read with ``git archive`` into a
temporary folder.
"""

from __future__ import annotations

import difflib
import io
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .audience import view_event
from .errors import ConfigFileError, Problem, errors_only
from .model import AUDIENCES, Event, Site
from .status import STATUS_LABELS, UPDATE_LABELS, component_statuses

MARKER = "<!-- statusmark-preview -->"  # lets a workflow find and update its own comment


@dataclass(frozen=True)
class Side:
    site: Site | None
    problems: list[Problem]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigFileError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def default_base(repo: Path) -> str:
    """The merge base with main (or origin/main): what the pull request will be merged into."""
    for ref in ("origin/main", "main", "origin/master", "master"):
        try:
            return git(repo, "merge-base", "HEAD", ref)
        except ConfigFileError:
            continue
    raise ConfigFileError("preview: no main branch to compare with; pass --base REF")


def load_side(config_file: Path) -> Side:
    from .builder import check
    from .errors import ProblemsFound

    try:
        site, problems = check(config_file)
    except (ConfigFileError, ProblemsFound) as error:
        return Side(None, getattr(error, "problems", []))
    return Side(site, problems)


def load_base(repo: Path, ref: str, config_file: Path) -> tuple[Side, tempfile.TemporaryDirectory[str]]:
    """The site as it was at ``ref``, extracted from git into a temporary folder."""
    holder = tempfile.TemporaryDirectory(prefix="statusmark-base-")
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", ref], capture_output=True)
    if archive.returncode != 0:
        raise ConfigFileError(f"preview: cannot read {ref!r}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(holder.name, filter="data")
    relative = config_file.resolve().relative_to(Path(git(repo, "rev-parse", "--show-toplevel")).resolve())
    base_config = Path(holder.name) / relative
    if not base_config.is_file():
        return Side(None, []), holder
    return load_side(base_config), holder


def preview(config_file: Path, base_ref: str | None, now: datetime) -> str:
    repo = config_file.resolve().parent
    ref = base_ref or default_base(repo)
    try:
        short = git(repo, "rev-parse", "--short", "--verify", f"{ref}^{{commit}}")
    except ConfigFileError:
        raise ConfigFileError(
            f"preview: no commit {ref!r} in this repository; pass --base with a branch, tag or commit"
        ) from None
    base, holder = load_base(repo, ref, config_file)
    with holder:
        head = load_side(config_file)
        return render(base, head, config_file, f"`{base_ref or 'main'}` ({short})", now)


def _events(side: Side) -> dict[str, Event]:
    return {e.id: e for e in side.site.events} if side.site else {}


def render(base: Side, head: Side, config_file: Path, base_name: str, now: datetime) -> str:
    out = [MARKER, "## Statusmark preview", "", f"Compared with {base_name}."]
    errors = errors_only(head.problems)
    if errors or head.site is None:
        out += ["", f"### :x: `statusmark check` finds {len(errors)} error(s)", "", "```"]
        out += [str(p) for p in sorted(errors)] + ["```", "", "Nothing can be published until these are fixed."]
        if head.site is None:
            return "\n".join(out) + "\n"
    assert head.site is not None
    before, after = _events(base), _events(head)
    changed = [e for i, e in after.items() if before.get(i) != e]
    removed = [before[i] for i in before if i not in after]
    if not changed and not removed:
        out += ["", "No incident or maintenance changes."]
    for event in sorted(changed, key=lambda e: e.id):
        out += _event_section(before.get(event.id), event)
    for event in removed:
        out += ["", f"### :wastebasket: Removed: {event.title} (`{event.id}`)"]
    out += _component_changes(base.site, head.site, now)
    out += _notification_plan(config_file, base, head.site, changed, now)
    out += _lint(head.problems, {e.path for e in changed})
    return "\n".join(out).rstrip() + "\n"


def _event_section(old: Event | None, new: Event) -> list[str]:
    verb = ":new: New" if old is None else ":pencil2: Changed"
    kind = "maintenance" if new.is_maintenance else f"{new.impact} incident"
    lines = [
        "",
        f"### {verb}: {new.title} (`{new.id}`)",
        "",
        f"{kind}, now **{UPDATE_LABELS.get(new.status, new.status)}** · `{new.path}`",
    ]
    if new.draft:
        lines.append("> Draft: checked and previewed, never published or notified.")
    for level, audience in enumerate(AUDIENCES):
        text = _audience_text(new, level)
        previous = _audience_text(old, level) if old else ""
        if text == previous:
            lines += [
                "",
                f"<details><summary>{audience.capitalize()}: unchanged</summary>",
                "",
                text or "_(nothing)_",
                "",
                "</details>",
            ]
            continue
        lines += [
            "",
            f"<details open><summary><b>{audience.capitalize()}</b> will read</summary>",
            "",
            text or "_(nothing)_",
            "",
        ]
        if old is not None:
            diff = difflib.unified_diff(previous.splitlines(), text.splitlines(), "before", "after", lineterm="", n=1)
            lines += ["```diff", *list(diff)[2:], "```", ""]
        lines.append("</details>")
    return lines


def _audience_text(event: Event | None, level: int) -> str:
    """The event's updates as Markdown, as a reader at ``level`` sees them."""
    seen = view_event(event, level) if event else None
    if seen is None:
        return ""
    parts = []
    for update in reversed(seen.updates):
        label = UPDATE_LABELS.get(update.status, update.status)
        body = "\n".join("> " + line if line else ">" for line in update.text.strip().splitlines())
        parts.append(f"**{label}** · {update.at:%Y-%m-%d %H:%M} UTC\n{body}")
    return "\n\n".join(parts)


def _component_changes(old: Site | None, new: Site, now: datetime) -> list[str]:
    before = component_statuses(old, now) if old else {}
    after = component_statuses(new, now)
    rows = [
        f"| {c.name} | {STATUS_LABELS[before.get(c.id, 'operational')]} | {STATUS_LABELS[after[c.id]]} |"
        for c in new.components
        if before.get(c.id, "operational") != after[c.id]
    ]
    if not rows:
        return ["", "### Components", "", "No component changes status."]
    return ["", "### Components", "", "| component | now | after merge |", "| --- | --- | --- |", *rows]


def _notification_plan(config_file: Path, base: Side, head: Site, changed: list[Event], now: datetime) -> list[str]:
    from .builder import load_mkdocs_config, plugin_of
    from .notify.command import check_notifications
    from .notify.plan import plan

    options = plugin_of(load_mkdocs_config(config_file)).config
    config, problems = check_notifications(config_file, options, head.components)
    lines = ["", "### Notifications on merge"]
    if errors_only(problems):
        return lines + ["", "```", *map(str, problems), "```"]
    if not config.groups:
        return lines + ["", "No stakeholder groups configured."]
    old_keys = {(e.id, u.key) for e in (base.site.events if base.site else ()) for u in e.updates}
    ids = {e.id for e in changed}
    latest = max((u.at for e in changed for u in e.updates), default=now)
    # Every update this branch adds is due once merged, whenever it is dated.
    due = [
        d
        for d in plan(head, config, max(now, latest), None)
        if d.event.id in ids and (d.event.id, d.update.key) not in old_keys and not d.reminder
    ]
    if not due:
        return lines + ["", "Nothing would be sent: no new update matches a group's routes."]
    rows: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for d in due:
        held = f"held: needs approval by {', '.join(d.missing_approvals)}" if d.missing_approvals else "sent on merge"
        if d.defer_until and not d.missing_approvals:
            held = "deferred to contact hours"
        rows[(d.event.id, d.group.id, AUDIENCES[d.group.tier], d.channel.id, held)] += 1
    lines += ["", "| event | group | tier | channel | contacts | status |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| `{e}` | {g} | {t} | {c} | {n} | {s} |" for (e, g, t, c, s), n in sorted(rows.items())]
    held_groups = sorted({d.group.id for d in due if d.missing_approvals})
    if held_groups:
        lines += [
            "",
            f"Messages to {', '.join(held_groups)} wait until the approvals are added to the front matter (`approvals:`).",
        ]
    return lines


def _lint(problems: list[Problem], paths: set[str]) -> list[str]:
    findings = sorted(p for p in problems if p.path in paths and "public text looks like" in p.message)
    lines = ["", "### Privacy lint"]
    if not findings:
        return lines + ["", "No findings in the changed files."]
    return lines + ["", "```", *map(str, findings), "```"]
