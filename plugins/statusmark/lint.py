"""Privacy lint: technical detail that slipped into public text (titles, public blocks,
component descriptions). Each rule is an error or a warning by config; a finding that is
a false positive is acknowledged inline with ``<!-- lint-ok: RULE -->`` on its line
(stripped before rendering) or, in front matter, a YAML comment ``# lint-ok: RULE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .model import PUBLIC, Site

RULES: dict[str, str] = {
    "ipv4": r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b",
    "ipv6": r"(?<![\w:])(?=[0-9a-fA-F:]*\d)(?=[0-9a-fA-F:]*::|(?:[0-9a-fA-F]{1,4}:){7})[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])",
    "stack-trace": r"Traceback \(most recent call last\)|^\s+at [\w$.]+\([\w.]+:\d+\)|\bException in thread\b|\w+(?:Error|Exception): |panic: |goroutine \d+ \[",
    "file-path": r"(?<![\w/.:])/(?:etc|var|usr|home|opt|srv|tmp|root|proc|mnt|data)/[\w.\-/]+|\b[A-Za-z]:\\[\w\\.\-]+",
    "commit-hash": r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b",
    "email": r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b",
    "credential": r"\bAKIA[0-9A-Z]{16}\b|\bxox[abposr]-[\w-]{10,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}|\bglpat-[\w-]{20,}|\bsk_live_\w{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----",
}
_PATH_ROOTS = tuple(f"/{d}/" for d in ("etc", "var", "usr", "home", "opt", "srv", "tmp", "root", "proc", "mnt", "data"))
_DIGIT_DOT_DIGIT = re.compile(r"\d\.\d")
# What each rule's matches must contain: a text holding none of these cannot match, and
# substring tests run at memory speed where the rules' look-arounds cost a regex step per
# character. Internal hosts get theirs in ``LintConfig.gates``; deny patterns have none.
GATES: dict[str, Callable[[str], bool]] = {
    "ipv4": lambda text: "." in text and _DIGIT_DOT_DIGIT.search(text) is not None,
    "ipv6": lambda text: "::" in text or text.count(":") >= 7,
    "stack-trace": lambda text: (
        "Traceback" in text or "Exception" in text or "Error: " in text or "panic: " in text
        or "goroutine " in text or ("at " in text and "(" in text)
    ),
    "file-path": lambda text: ":\\" in text or ("/" in text and any(root in text for root in _PATH_ROOTS)),
    "commit-hash": lambda text: any(c in text for c in "0123456789"),
    "email": lambda text: "@" in text,
    "credential": lambda text: (
        "AKIA" in text or "xox" in text or "gh" in text or "github_pat_" in text or "glpat-" in text or "sk_live_" in text
        or "PRIVATE KEY-----" in text
    ),
}  # fmt: skip
DEFAULT_LEVELS = {rule: "error" for rule in RULES} | {
    "commit-hash": "warning",
    "email": "warning",
    "file-path": "warning",
}
ACK = re.compile(r"<!--\s*lint-ok:\s*([\w\s,-]+?)\s*-->|#\s*lint-ok:\s*([\w\s,-]+)")


@dataclass(frozen=True)
class LintConfig:
    levels: dict[str, str]  # rule -> "error" | "warning" | "off"
    internal_suffixes: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def patterns(self) -> dict[str, re.Pattern[str]]:
        found = {rule: re.compile(pattern, re.MULTILINE) for rule, pattern in RULES.items()}
        if self.internal_suffixes:
            suffixes = "|".join(re.escape(s.lstrip(".")) for s in self.internal_suffixes)
            found["internal-host"] = re.compile(rf"\b[\w-]+(?:\.[\w-]+)*\.(?:{suffixes})\b", re.IGNORECASE)
        for index, pattern in enumerate(self.deny):
            found[f"deny-{index + 1}"] = re.compile(pattern, re.MULTILINE)
        return {rule: regex for rule, regex in found.items() if self.level(rule) != "off"}

    def gates(self) -> dict[str, Callable[[str], bool]]:
        """Per rule: a cheap test every text it could match passes (see ``GATES``)."""
        found = dict(GATES)
        if self.internal_suffixes:
            tails = tuple("." + s.lstrip(".").lower() for s in self.internal_suffixes)
            # Matched ignoring case: outside ASCII, case folding is the regex's own business.
            found["internal-host"] = lambda text: not text.isascii() or any(t in text.lower() for t in tails)
        return found

    def level(self, rule: str) -> str:
        default = "error" if rule.startswith(("deny-", "internal-host")) else "warning"
        return self.levels.get(rule, DEFAULT_LEVELS.get(rule, default))


def acknowledged(line: str) -> set[str]:
    rules: set[str] = set()
    for match in ACK.finditer(line):
        rules.update(r.strip() for r in (match.group(1) or match.group(2)).replace(",", " ").split())
    return rules


def strip_acknowledgements(text: str) -> str:
    """Remove ``<!-- lint-ok: ... -->`` markers so they never reach a rendered page."""
    return ACK.sub("", text) if "lint-ok" in text else text


def lint_site(site: Site, config: LintConfig, config_path: Path, base: Path) -> list[Problem]:
    patterns = config.patterns()
    gates = config.gates()
    checks = [(gates.get(rule, _always), regex) for rule, regex in patterns.items()]
    problems: list[Problem] = []
    for path, field, text, locate in _public_texts(site, config_path, base):
        if not any(gate(text) and regex.search(text) for gate, regex in checks):
            continue  # the common case: no file is read again
        first_line, raw = locate()
        for offset, line in enumerate(raw):
            ok = acknowledged(line)
            for rule, regex in patterns.items():
                match = regex.search(strip_acknowledgements(line))
                if match and rule not in ok:
                    message = f"public text looks like it holds {_describe(rule)} ({match.group(0)[:40]!r}); move it to a technical block, or add '<!-- lint-ok: {rule} -->' if it is meant to be public"
                    problems.append(Problem(path, first_line + offset, field, message, config.level(rule)))
    return problems


def _always(text: str) -> bool:
    return True


def _describe(rule: str) -> str:
    return {
        "ipv4": "an IPv4 address", "ipv6": "an IPv6 address", "stack-trace": "a stack trace",
        "file-path": "a file-system path", "commit-hash": "a commit hash", "email": "an e-mail address",
        "credential": "a credential", "internal-host": "an internal host name",
    }.get(rule, f"text matching deny pattern {rule}")  # fmt: skip


Locator = Callable[[], tuple[int, list[str]]]  # -> (first line number, the text's raw source lines)


def _public_texts(site: Site, config_path: Path, base: Path) -> Iterator[tuple[str, str, str, Locator]]:
    """(path, field, text, where it stands) for everything the public reads."""
    for comp in site.components:
        if comp.description:
            yield (
                str(config_path),
                f"components.{comp.id}.description",
                comp.description,
                _finder(config_path, comp.description, 0),
            )
    for event in site.events:
        if event.draft:
            continue
        path = base / event.path
        yield event.path, "title", event.title, _finder(path, "title:", 0, whole_text=False)
        for update in event.updates:
            if update.internal:
                continue
            for segment in update.segments:
                if segment.audience == PUBLIC and segment.text:
                    yield event.path, "public text", segment.text, _finder(path, segment.text, update.line)


def _finder(path: Path, text: str, after: int, whole_text: bool = True) -> Locator:
    """Locate ``text`` (its first line) in ``path`` at or after line ``after``, lazily."""

    def locate() -> tuple[int, list[str]]:
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        first = text.splitlines()[0]
        for index in range(after, len(lines)):
            if first in lines[index]:
                count = len(text.splitlines()) if whole_text else 1
                return index + 1, lines[index : index + count]
        return max(after, 1), text.splitlines()

    return locate


def lint_config(options: object) -> LintConfig:
    """LintConfig from the plugin's validated ``privacy_lint`` options."""
    raw = options["privacy_lint"]  # type: ignore[index]
    # YAML 1.1 reads a bare `off` as false.
    levels = {rule: "off" if level is False else str(level) for rule, level in raw["rules"].items()}
    return LintConfig(levels, tuple(raw["internal_suffixes"]), tuple(raw["deny"]))
