"""The `statusmark` command. Exit codes: 0 ok, 1 problems in the user's files, 2 usage or config."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .clock import NOW_VARIABLE
from .errors import ConfigFileError, ProblemsFound, errors_only
from .model import AUDIENCES


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "now", None):
        os.environ[NOW_VARIABLE] = args.now
    try:
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


def _check(args: argparse.Namespace) -> int:
    from .builder import check

    _, problems = check(args.config_file)
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

    built = build(args.config_file, audience_list(args.audience))
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
    serve = command("serve", "live preview that reloads on incident edits", _serve)
    serve.add_argument("--audience", choices=list(AUDIENCES), default="public")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    return parser


if __name__ == "__main__":
    sys.exit(main())
