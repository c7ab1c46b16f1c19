"""The `statusmark` command. Exit codes: 0 ok, 1 problems in the user's files, 2 usage or config."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from . import lifetime
from .clock import NOW_VARIABLE
from .errors import ConfigFileError, ProblemsFound, errors_only
from .model import AUDIENCES


def run() -> None:
    """The console script: ``main``, then the process ends (see ``lifetime``).

    The collector's raised thresholds stay for the whole process: put back at the end of
    ``main``, they set off a collection of what the command made just before the process
    ended (0.47 s after a 10,000-event build made in one process).
    """
    lifetime.enable()
    gc.set_threshold(*GC_THRESHOLD)
    lifetime.end(main())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "now", None):
        os.environ[NOW_VARIABLE] = args.now
    try:
        with collect_seldom():
            return int(args.run(args))
    except ProblemsFound as found:
        for problem in found.problems:
            print(problem, file=sys.stderr)
        print(f"{len(found.problems)} problem(s) found; nothing was written.", file=sys.stderr)
        return 1
    except ConfigFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


# A command makes hundreds of thousands of small objects (parsed events, their views per
# audience) and keeps most of them to the end. CPython's collector looks for cycles every
# 700 new objects and, every so often, through all of them: most of the 0.47 s a public
# view of 10,000 events took, and 0.7-1 s of a warm build. It runs far less often here;
# cycles are still collected.
GC_THRESHOLD = (100_000, 50, 100)


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """No cycle collection at all, for a command that ends when its work does (build, check).

    What they make lives to the end and holds few cycles: with the collector off, a cold
    10,000-event build peaked at 364 MiB instead of 358 MiB, and a warm one saved its
    collections (20-50 ms each, in the parent and in every audience's process, which
    inherit the setting). Under the console script the process ends right after, without
    a collection; an in-process caller (tests) gets the collector back.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was and not lifetime.ends_with_process():
            gc.enable()


@contextlib.contextmanager
def collect_seldom() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _check(args: argparse.Namespace) -> int:
    from .builder import check_with_options
    from .notify.command import check_notifications

    with collector_off():
        site, problems, options = check_with_options(args.config_file, events=False)  # problems only
    lifetime.allow_fast_end()
    problems += check_notifications(args.config_file, options, site.components)[1]
    for problem in sorted(problems):
        print(problem, file=sys.stderr)
    errors = errors_only(problems)
    if errors:
        print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)", file=sys.stderr)
        return 1
    print(
        f"ok: {args.config_file} and its incidents are valid" + (f" ({len(problems)} warning(s))" if problems else "")
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    from .builder import audience_list, build
    from .parsecache import CACHE_VARIABLE

    if args.cache_dir:
        os.environ[CACHE_VARIABLE] = args.cache_dir

    with collector_off():
        built = build(args.config_file, audience_list(args.audience))
    lifetime.allow_fast_end()
    for audience, path in built.items():
        print(f"{audience}: {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    from .builder import load_mkdocs_config
    from .plugin import AUDIENCE_VARIABLE

    load_mkdocs_config(args.config_file)  # fail early, with our message, on a broken config
    os.environ[AUDIENCE_VARIABLE] = args.audience
    serve(
        str(args.config_file),
        dev_addr=args.dev_addr,
        livereload=True,
        watch=[str(args.config_file.parent / "incidents")],
    )
    return 0


def _notify(args: argparse.Namespace) -> int:
    import json

    from .clock import build_now
    from .notify.command import SEND_VARIABLE, run_notify

    if args.confirm or args.resend:
        from .notify.command import settle

        for line in settle(
            args.config_file,
            args.confirm or args.resend,
            bool(args.confirm),
            now=build_now(),
            ledger_spec=args.ledger or "",
        ):
            print(line)
        return 0
    send = not args.dry_run and (args.send or os.environ.get(SEND_VARIABLE) == "1")
    report = run_notify(
        args.config_file,
        now=build_now(),
        send=send,
        outbox=args.outbox,
        only=args.only or "",
        ledger_spec=args.ledger or "",
    )
    print(report.table())
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    if not send:
        where = f"; messages written to {args.outbox}/" if args.outbox else ""
        print(f"dry run: nothing was sent{where}. Send with --send or {SEND_VARIABLE}=1.")
    return 0


def _new(args: argparse.Namespace) -> int:
    from .authoring import NewEvent, create_event, display, load_context

    if args.kind == "incident" and args.impact is None:
        print("error: --impact is required for an incident: none, minor, major or critical", file=sys.stderr)
        return 2
    request = NewEvent(
        title=args.title,
        kind=args.kind,
        impact=args.impact,
        components=tuple(args.component),
        tags=tuple(args.tag),
        start=args.start,
        end=args.end,
        event_id=args.id,
        public=args.message,
        technical=args.technical,
    )
    path = create_event(load_context(args.config_file), request)
    print(display(path))
    if args.message is None:
        print("Edit its /// public text before you push: customers read it.", file=sys.stderr)
    return 0


def _update(args: argparse.Namespace) -> int:
    from .authoring import append_update, display, load_context

    if args.message is not None and args.public is not None:
        print("error: -m and --public both set the public text; give one", file=sys.stderr)
        return 2
    public = args.public if args.public is not None else args.message
    path = append_update(
        load_context(args.config_file), args.id, args.status, public, args.technical, internal=args.internal
    )
    print(display(path))
    if public is None and args.technical is None:
        print("Edit the new update's placeholder text before you push.", file=sys.stderr)
    return 0


def _init(args: argparse.Namespace) -> int:
    from .scaffold import Options, TargetNotEmpty, default_site_name, init

    options = Options(site_name=args.name or default_site_name(args.dir), site_url=args.url)
    try:
        written = init(args.dir, options)
    except TargetNotEmpty as error:
        print(f"error: {error}; nothing was written", file=sys.stderr)
        return 2
    print(f"created {args.dir}/ with {len(written)} files")
    print(f"next: cd {args.dir} && statusmark check && statusmark build --audience all")
    return 0


def _drill(args: argparse.Namespace) -> int:
    from .clock import build_now
    from .notify.drill import drill_table, run_drill

    results = run_drill(
        args.config_file,
        now=build_now(),
        groups=args.group or [],
        send=not args.dry_run,
        outbox=args.outbox,
        ledger_spec=args.ledger or "",
    )
    print(drill_table(results))
    if not results:
        print("drill: no channel to test (no groups, or none internal; name external ones with --group)")
    return 1 if any(r.outcome == "failed" for r in results) else 0


def _preview(args: argparse.Namespace) -> int:
    from .clock import build_now
    from .preview import preview

    print(preview(args.config_file, args.base, build_now()), end="")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .builder import check
    from .clock import build_now
    from .report import compute_report, deliveries_text, dumps, period_for, send_report, to_markdown

    if args.dry_run and not args.send:
        print("error: --dry-run writes the messages --send GROUP would send; name a group with --send", file=sys.stderr)
        return 2
    if args.outbox and not args.dry_run:
        print("error: --outbox needs --dry-run", file=sys.stderr)
        return 2
    try:
        now = build_now()
    except ValueError as error:
        print(f"error: --now: {error}", file=sys.stderr)
        return 2
    period = period_for(args.period, now, current=args.current)
    site, problems = check(args.config_file)
    errors = errors_only(problems)
    if errors:
        raise ProblemsFound(errors)
    report = compute_report(site, now, period)
    print(dumps(report) if args.format == "json" else to_markdown(report), end="")
    if not args.send:
        return 0
    results = send_report(
        args.config_file,
        now=now,
        period=period,
        groups=args.send,
        send=not args.dry_run,
        outbox=args.outbox,
        ledger_spec=args.ledger or "",
    )
    print(deliveries_text(results), file=sys.stderr)
    return 1 if any(r.outcome == "failed" for r in results) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="statusmark", description="Git-native status page and incident communication."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, run: object) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "-f",
            "--config-file",
            type=Path,
            default=Path("mkdocs.yml"),
            help="the site's mkdocs.yml (default: ./mkdocs.yml)",
        )
        sub.set_defaults(run=run)
        return sub

    command("check", "validate every incident file and the config; exit 1 on errors", _check)
    build = command("build", "build the public site and the audience sites", _build)
    build.add_argument(
        "--audience", choices=[*AUDIENCES, "all"], default="public", help="which site to build (default: public)"
    )
    build.add_argument("--now", help="build as if it were this UTC time (ISO 8601); also $STATUSMARK_NOW")
    build.add_argument(
        "--cache-dir",
        help="build cache folder (default: .statusmark-cache beside mkdocs.yml; also $STATUSMARK_CACHE_DIR); 'off' disables it",
    )
    notify = command("notify", "send the notifications that are due (only with --send or STATUSMARK_NOTIFY=1)", _notify)
    notify.add_argument("--send", action="store_true", help="really send (else a dry run)")
    notify.add_argument("--dry-run", action="store_true", help="never send, even with STATUSMARK_NOTIFY=1")
    notify.add_argument("--outbox", type=Path, help="write each message that would go out into this folder")
    notify.add_argument("--only", choices=("internal", "external"), help="only internal or only external groups")
    notify.add_argument("--ledger", help="ledger file, or git:BRANCH to keep it on an orphan branch")
    notify.add_argument("--json", type=Path, help="also write the run report as JSON to this file")
    settle = notify.add_mutually_exclusive_group()
    settle.add_argument(
        "--confirm", nargs="+", metavar="KEY", help="a held send of unknown outcome did arrive: never resend it"
    )
    settle.add_argument(
        "--resend", nargs="+", metavar="KEY", help="a held send of unknown outcome did not arrive: send it again"
    )
    notify.add_argument("--now", help="run as if it were this UTC time (ISO 8601); also $STATUSMARK_NOW")
    drill = command("drill", "send a clearly marked test message through every channel and contact", _drill)
    drill.add_argument(
        "--group", action="append", help="only this group (repeat for more); external groups only when named"
    )
    drill.add_argument("--dry-run", action="store_true", help="write the messages (with --outbox) instead of sending")
    drill.add_argument("--outbox", type=Path, help="with --dry-run: write each message into this folder")
    drill.add_argument("--ledger", help="ledger file, or git:BRANCH")
    drill.add_argument("--now", help="as if it were this UTC time (ISO 8601)")
    preview = command("preview", "Markdown for pull-request reviewers: what each audience and group will get", _preview)
    preview.add_argument("--base", help="compare with this git ref (default: the merge base with main)")
    preview.add_argument("--now", help="as if it were this UTC time (ISO 8601)")
    report = command("report", "a metrics digest of the last full week or month; optionally sent to groups", _report)
    report.add_argument("--period", choices=("week", "month"), required=True, help="the last full UTC week or month")
    report.add_argument("--current", action="store_true", help="the period in progress instead, up to now")
    report.add_argument("--format", choices=("md", "json"), default="md", help="Markdown (default) or JSON")
    report.add_argument(
        "--send", action="append", metavar="GROUP", help="send the digest to this group (repeat for more)"
    )
    report.add_argument("--dry-run", action="store_true", help="with --send: write the messages instead (--outbox)")
    report.add_argument("--outbox", type=Path, help="with --dry-run: write each message into this folder")
    report.add_argument("--ledger", help="ledger file, or git:BRANCH")
    report.add_argument("--now", help="as if it were this UTC time (ISO 8601)")
    serve = command("serve", "live preview that reloads on incident edits", _serve)
    serve.add_argument("--audience", choices=list(AUDIENCES), default="public")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    new = command("new", "create an incident or maintenance file with its first update", _new)
    new.add_argument("title", help="the public headline, e.g. 'Elevated error rates on the API'")
    new.add_argument("--impact", help="none, minor, major or critical (required for an incident)")
    new.add_argument(
        "--component",
        action="append",
        default=[],
        metavar="ID=STATUS",
        help="an affected component and its status, e.g. api=partial_outage; repeat for more",
    )
    new.add_argument("--kind", default="incident", help="incident (default) or maintenance")
    new.add_argument("--start", help="maintenance: scheduled start (ISO 8601, e.g. 2026-12-01T02:00:00Z)")
    new.add_argument("--end", help="maintenance: scheduled end (ISO 8601)")
    new.add_argument("--tag", action="append", default=[], help="an internal label for routing; repeat for more")
    new.add_argument("--id", help="the file name without .md (default: today's date and a slug of the title)")
    new.add_argument("-m", "--message", help="the first update's public text (default: a neutral placeholder)")
    new.add_argument("--technical", help="the first update's text for engineers only")
    update = command("update", "append an update stamped now to an incident or maintenance", _update)
    update.add_argument("id", help="the event's id (its file name without .md)")
    update.add_argument("status", help="the new status, e.g. identified, monitoring, resolved, in_progress")
    update.add_argument("-m", "--message", help="the update's public text (same as --public)")
    update.add_argument("--public", help="the update's public text")
    update.add_argument("--technical", help="the update's text for engineers only")
    update.add_argument(
        "--internal", action="store_true", help="mark the update '(internal)': shown to technical readers only"
    )
    init = commands.add_parser(
        "init", help="scaffold a new status repository", description="scaffold a new status repository"
    )
    init.add_argument("dir", type=Path, help="a new or empty folder")
    init.add_argument("--name", help="the site's name (default: from the folder's name)")
    init.add_argument("--url", default="https://status.example.com/", help="the public address of the status page")
    init.set_defaults(run=_init)
    return parser


if __name__ == "__main__":
    sys.exit(main())
