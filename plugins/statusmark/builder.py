"""`statusmark build`: parse once, build every audience, publish all-or-nothing."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from .config import line_of
from .errors import ConfigFileError, Problem, ProblemsFound, errors_only
from .model import AUDIENCES, Site
from .output import Manifest, Output, publish
from .parsecache import cache_dir
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
    config = load_mkdocs_config(config_file)
    plugin = plugin_of(config)
    return plugin.load(config)


def build(config_file: Path, audiences: Iterable[str]) -> dict[str, Path]:
    """Build each audience into a staging folder; only when all succeed, publish them.

    With the cache folder holding the manifest of a live site, its staging folder gets
    only the files that changed (see ``output``); otherwise the whole site, swapped in.
    """
    audiences = list(audiences)
    site, problems = check(config_file)
    if errors_only(problems):
        raise ProblemsFound(errors_only(problems))
    cache = cache_dir(config_file)
    staged: dict[Path, Path] = {}  # final folder -> staging folder, in audience order
    outputs: dict[Path, tuple[Output | None, Path | None]] = {}
    try:
        for audience in audiences:
            config = load_mkdocs_config(config_file)
            plugin = plugin_of(config)
            final = (
                Path(config.site_dir).resolve()
                if audience == "public"
                else audience_site_dir(config, plugin.config, audience)
            )
            _refuse_nesting(config, final, audience)
            staging = final.with_name(final.name + ".statusmark-new")
            shutil.rmtree(staging, ignore_errors=True)
            staged[final] = staging
            manifest_path = cache / "manifests" / f"{_short(str(final))}.json" if cache else None
            # MkDocs reuses plugin instances across config loads: hand over, then take back.
            plugin.preloaded, plugin.audience_override = (site, problems), audience
            plugin.site_dir_override = str(staging)
            plugin.previous = Manifest.load(manifest_path, final) if manifest_path else None
            try:
                with _quiet("mkdocs.commands.build", "mkdocs.structure"):
                    mkdocs_build(config)
                outputs[final] = (plugin.output, manifest_path)
            finally:
                plugin.preloaded = plugin.audience_override = plugin.site_dir_override = None
                plugin.previous = plugin.output = None
    except (PluginError, Abort) as error:
        for staging in staged.values():
            shutil.rmtree(staging, ignore_errors=True)
        raise ConfigFileError(str(error)) from None
    except BaseException:
        for staging in staged.values():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    for final, staging in staged.items():
        output, manifest_path = outputs[final]
        publish(staging, final, output, manifest_path)
    return {audience: final for audience, final in zip(audiences, staged)}


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
