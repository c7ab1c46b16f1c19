"""`statusmark build`: parse once, build every audience, publish all-or-nothing."""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import shutil
import traceback
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from . import datacache, forking, lifetime
from .config import StatusmarkConfig, line_of
from .errors import ConfigFileError, Problem, ProblemsFound, errors_only
from .model import AUDIENCES, Site, audience_level, work_out
from .output import Checked, Manifest, Staged, check_live_sites, pending_manifest, publish, stage
from .parsecache import cache_dir, saves_held
from .plugin import StatusmarkPlugin, audience_site_dir


def load_mkdocs_config(config_file: Path, **overrides: Any) -> MkDocsConfig:
    if not config_file.is_file():
        raise ConfigFileError(f"{config_file}: config file not found (pass -f PATH to name your mkdocs.yml)")
    collected = _Collect()
    logger = logging.getLogger("mkdocs.config")
    logger.addHandler(collected)
    logger.propagate = False  # the reasons are reported once, by us
    try:
        with _quiet("mkdocs"):
            return load_config(str(config_file), **overrides)
    except (ConfigurationError, Abort) as error:
        # MkDocs logs the real reasons and raises a bare "Aborted"; report the reasons.
        reasons = collected.messages or [str(error)]
        text = config_file.read_text(encoding="utf-8", errors="replace")
        raise ConfigFileError("\n".join(_locate(config_file, text, reason) for reason in reasons)) from None
    finally:
        logger.removeHandler(collected)
        logger.propagate = True


def _locate(config_file: Path, text: str, reason: str) -> str:
    """``path:line: field: reason`` from MkDocs' "Config value 'x': ... option 'y': ..." message."""
    names = re.findall(r"(?:Config value|option|Sub-option) '([\w-]+)'", reason)
    field = names[-1] if names else "config"
    line = line_of(text, rf"^\s*-?\s*{re.escape(field)}\s*:") if names else 1
    message = re.split(r"(?:Config value|option|Sub-option) '[\w-]+': ", reason)[-1]
    return f"{config_file}:{line}: {'.'.join(names[1:]) or field}: {message}"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def plugin_of(config: MkDocsConfig) -> StatusmarkPlugin:
    plugin = config.plugins.get("statusmark")
    if not isinstance(plugin, StatusmarkPlugin):
        raise ConfigFileError(
            f"{config.config_file_path}:1: plugins: add 'statusmark' to the plugins list of mkdocs.yml"
        )
    return plugin


def check(config_file: Path) -> tuple[Site, list[Problem]]:
    site, problems, _ = check_with_options(config_file)
    return site, problems


def check_with_options(config_file: Path, events: bool = True) -> tuple[Site, list[Problem], StatusmarkConfig]:
    """The parsed site, its problems, and the plugin's options from the same config load.

    ``events=False``: the site holds no events (only the problems are wanted).
    """
    config, site, problems = _load_and_check(config_file, events)
    return site, problems, plugin_of(config).config


def _load_and_check(
    config_file: Path, events: bool = True, render_for: tuple[int, ...] = ()
) -> tuple[MkDocsConfig, Site, list[Problem]]:
    config = load_mkdocs_config(config_file)
    return (config, *plugin_of(config).load(config, events, render_for))


@dataclass(frozen=True)
class _Plan:
    """Where one audience's site is built (staging) and published (final)."""

    audience: str
    final: Path
    staging: Path
    manifest_path: Path | None
    checked: Checked | None = None  # the live sites as found while parsing (``check_live_sites``)


def build(config_file: Path, audiences: Iterable[str]) -> dict[str, Path]:
    """Build each audience into a staging folder; only when all succeed, publish them.

    With the cache folder holding the manifest of a live site, its staging folder gets
    only the files that changed (see ``output``); otherwise the whole site, swapped in.
    Audiences are built side by side, one process each, when the machine has cores to
    spare: each is a whole MkDocs build with long single-threaded stretches. The first
    of them is built in this process when it renders with one (see ``_build_all``).
    """
    audiences = list(audiences)
    cache = cache_dir(config_file)
    with saves_held() as save_parse_cache:
        # The live sites are checked against their manifests on the core the parse leaves idle.
        with forking.Background(check_live_sites, cache / "manifests") if cache else nullcontext() as live:
            # The event pages of the audiences built are rendered while the files are parsed.
            config, site, problems = _load_and_check(
                config_file, render_for=tuple(audience_level(a) for a in audiences if a in AUDIENCES)
            )
            checked = live.result() if live else None
        lifetime.keep(site)
        if errors_only(problems):
            raise ProblemsFound(errors_only(problems))
        plans = _plans(config, audiences, cache, checked)
        built = _build_planned(config_file, config, plans, (site, problems), save_parse_cache)
    for plan, staged in zip(plans, built):
        publish(plan.staging, plan.final, staged, plan.manifest_path)
    datacache.prune(cache)
    return {plan.audience: plan.final for plan in plans}


def _plans(config: MkDocsConfig, audiences: list[str], cache: Path | None, checked: Checked | None) -> list[_Plan]:
    plans = []
    for audience in audiences:
        final = (
            Path(config.site_dir).resolve()
            if audience == "public"
            else audience_site_dir(config, plugin_of(config).config, audience)
        )
        _refuse_nesting(config, final, audience)
        staging = final.with_name(final.name + ".statusmark-new")
        manifest_path = cache / "manifests" / f"{_short(str(final))}.marshal" if cache else None
        plans.append(_Plan(audience, final, staging, manifest_path, checked))
    return plans


def _build_planned(
    config_file: Path,
    config: MkDocsConfig,
    plans: list[_Plan],
    parsed: tuple[Site, list[Problem]],
    meanwhile: Callable[[], None],
) -> list[Staged]:
    """Each plan's site built into its staging folder; on any failure, none."""
    try:
        for plan in plans:
            shutil.rmtree(plan.staging, ignore_errors=True)
        return _build_all(config_file, plans, parsed, config, meanwhile)
    except (PluginError, Abort) as error:
        _discard(plans)
        raise ConfigFileError(str(error)) from None
    except BaseException:
        _discard(plans)
        raise


def _discard(plans: list[_Plan]) -> None:
    for plan in plans:
        shutil.rmtree(plan.staging, ignore_errors=True)
        if plan.manifest_path is not None:
            pending_manifest(plan.manifest_path).unlink(missing_ok=True)


_PARSED: tuple[Site, list[Problem]] | None = None  # what forked audience builds start from
# The config the site was parsed with, not built with yet: the first audience build in each
# process takes it (a forked one, its own copy) instead of loading mkdocs.yml again (YAML
# and validation); building changes it, so a later build in the same process loads its own.
_UNBUILT: MkDocsConfig | None = None
SIDE_BY_SIDE = True  # audiences in processes of their own where possible (tests compare both ways)


def _build_all(
    config_file: Path,
    plans: list[_Plan],
    parsed: tuple[Site, list[Problem]],
    config: MkDocsConfig | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> list[Staged]:
    """Run each plan's build, in plan order: see ``_build_one``. ``config``: as loaded for
    the parse, not built with yet (see ``_UNBUILT``). ``meanwhile``: work for this process
    while the builds run (before them, when they run here).

    Side by side, the first plan is built in this process when its share of page workers
    is one (it forks none, which this process could not while the pool's thread runs): a
    forked build copies each page of memory it writes a reference count on. At 10,000
    events: 9,000 (warm) to 15,000 (cold) page faults fewer, a cold build about 4 % faster."""
    global _PARSED, _UNBUILT
    cores = forking.cores()
    _UNBUILT = config
    try:
        if not SIDE_BY_SIDE or len(plans) < 2 or cores < 2 or not forking.fork_is_safe():
            meanwhile()
            return [_build_one(config_file, plan, parsed) for plan in plans]
        _PARSED = parsed
        work_out(parsed[0].events)
        shares = page_worker_shares(len(plans), cores)
        here = 1 if shares[0] == 1 else 0  # the first plan built in this process
        with forking.pool(len(plans) - here) as pool:
            futures = [
                pool.submit(_build_and_report, config_file, plan, share)
                for plan, share in zip(plans[here:], shares[here:])
            ]
            meanwhile()  # the builds' processes are forked at the first submit
            results = [_build_and_report(config_file, plans[0], shares[0])] if here else []
            results += [future.result() for future in futures]
    finally:
        _PARSED = _UNBUILT = None
    built = []
    for done, records, error in results:
        for record in records:  # the child's warnings and errors, told here as if logged here
            logging.getLogger(record.name).handle(record)
        if error is not None:
            raise error
        assert done is not None
        built.append(done)
    return built


def page_worker_shares(audiences: int, cores: int) -> list[int]:
    """Processes each audience's build may render pages with, in plan order.

    An even share each, and one more for the last audience: it has the most text (the
    technical site's pages are the largest), and with one process it went on alone for
    seconds after the others ended, one core idle. With a second process it ends with them.
    """
    share = max(1, cores // audiences)
    return [share] * (audiences - 1) + [min(cores, share + 1)]


def _build_and_report(
    config_file: Path, plan: _Plan, page_workers: int
) -> tuple[Staged | None, list[logging.LogRecord], BaseException | None]:
    """One audience's build: what it built, what it logged, how it failed. Its warnings and
    errors are kept, to be told in plan order once every build has ended (most of them are
    built in forked processes, where what is logged would be lost)."""
    assert _PARSED is not None
    kept = _Keep()
    root = logging.getLogger()
    root.addHandler(kept)  # instead of printing here (lost where stderr is captured), hand them over
    try:
        return _build_one(config_file, plan, _PARSED, page_workers), kept.records, None
    except Exception as error:  # raised in the parent, after what was logged before it
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError("".join(traceback.format_exception(error)))
        return None, kept.records, error
    finally:
        root.removeHandler(kept)


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info = record.getMessage(), None, None  # plain, picklable
        self.records.append(record)


def _build_one(
    config_file: Path, plan: _Plan, parsed: tuple[Site, list[Problem]], page_workers: int | None = None
) -> Staged:
    """Build one audience into its staging folder and work out how to publish it (here, in
    the audience's own process, rather than one site after another while publishing)."""
    config = _take_unbuilt() or load_mkdocs_config(config_file)
    plugin = plugin_of(config)
    # MkDocs reuses plugin instances across config loads: hand over, then take back.
    plugin.preloaded, plugin.audience_override = parsed, plan.audience
    plugin.site_dir_override, plugin.page_workers = str(plan.staging), page_workers
    plugin.previous = Manifest.load(plan.manifest_path, plan.final, plan.checked) if plan.manifest_path else None
    try:
        with _quiet("mkdocs.commands.build", "mkdocs.structure"):
            mkdocs_build(config)
        assert plugin.output is not None
        return stage(plan.staging, plan.final, plugin.output, plan.manifest_path)
    finally:
        plugin.preloaded = plugin.audience_override = plugin.site_dir_override = plugin.page_workers = None
        plugin.previous = plugin.output = None


def _take_unbuilt() -> MkDocsConfig | None:
    """``_UNBUILT``, once per process."""
    global _UNBUILT
    config, _UNBUILT = _UNBUILT, None
    return config


def _short(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _refuse_nesting(config: MkDocsConfig, final: Path, audience: str) -> None:
    public = Path(config.site_dir).resolve()
    if audience != "public" and (final == public or public in final.parents):
        raise ConfigFileError(
            f"{config.config_file_path}:1: audiences.{audience}.site_dir: must not be inside the public site_dir ({public}); non-public text would be published"
        )


class _quiet:
    """Silence MkDocs' INFO chatter (e.g. pages not in nav) while keeping warnings."""

    def __init__(self, *names: str):
        self.loggers = [logging.getLogger(n) for n in names]

    def __enter__(self) -> None:
        self.levels = [lg.level for lg in self.loggers]
        for lg in self.loggers:
            lg.setLevel(logging.WARNING)

    def __exit__(self, *exc: object) -> None:
        for lg, level in zip(self.loggers, self.levels):
            lg.setLevel(level)


def audience_list(name: str) -> list[str]:
    return list(AUDIENCES) if name == "all" else [name]
