"""The fast paths of `statusmark check` give exactly what the plain paths give.

Three shortcuts keep a cold check of 10,000 events within seconds (bench/README.md):
bodies are parsed from mark to mark (``audience.marked_lines``: the lines that can open,
close or start anything; checked against marking every line, which is the line-by-line
parse it replaced), front matter of the
common shape is read without a YAML parser (``frontmatter.read_simple``), and each
privacy-lint rule runs only on texts that hold what its matches must hold
(``lint.GATES``). Each is checked against the path it replaced on generated input.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statusmark.audience import _CLOSE, _OPEN, _Open, block_lines, closes, fence_marker, marked_lines, split_blocks
from statusmark.errors import Problem
from statusmark.frontmatter import read_simple
from statusmark.lint import RULES, LintConfig
from statusmark.loader import parse_event, parse_updates
from statusmark.model import AUDIENCES, PUBLIC, TECHNICAL, Segment

# Lines that open, close or look like they might: fences of both kinds and lengths,
# indented up to four blanks (four is code, not a fence), block openers and closers
# (known, unknown, spaced), headings good and bad, and text with odd whitespace.
BODY_LINES = [
    "",
    "text",
    "  indented text",
    "```",
    "````",
    "```python",
    "   ```",
    "    ```",
    "\t```",
    "\u3000```",
    "~~~",
    "~~~~",
    " ~~~ ",
    "``",
    "text ``` inline",
    "///",
    "/// ",
    "///\t",
    "/// public",
    "/// semi-technical",
    "/// technical",
    "///public",
    "/// secret",
    "//// public",
    " /// public",
    "## 2026-11-20T14:02:00Z investigating",
    "## 2026-11-20T15:00:00Z identified (internal)",
    "## 2026-11-20T16:00:00Z resolved (correction 2)",
    "## 2026-11-20T14:02:00Z monitoring",
    "## 2026-11-20 investigating",
    "## not a heading",
    "### a subheading",
    "##",
    "## 2026-11-21T09:00:00Z scheduled",
    "\u2028",
    "x\x1fy",
]

lines_strategy = st.lists(st.sampled_from(BODY_LINES), max_size=40)


def every_line(lines: list[str]) -> list[int]:
    """Marks on every line: each one goes through the parser's state machine, as before."""
    return list(range(len(lines)))


def line_by_line_split_blocks(
    lines: list[str], first_line: int, default_audience: int, path: str, *_: object, **__: object
) -> tuple[tuple[Segment, ...], list[Problem]]:
    """``split_blocks`` as it was before it stepped from mark to mark and was handed the
    ``///`` lines: a state machine over every line, kept here as the fast paths' oracle."""
    segments: list[Segment] = []
    problems: list[Problem] = []
    loose: list[str] = []
    block: _Open | None = None
    fence: str | None = None
    refused = 0

    def flush_loose() -> None:
        text = "\n".join(loose).strip("\n")
        if text.strip():
            segments.append(Segment(default_audience, text))
        loose.clear()

    for offset, line in enumerate(lines):
        target = block.lines if block else loose
        lineno = first_line + offset
        marker = fence_marker(line)
        if fence is not None:
            target.append(line)
            if closes(marker, fence):
                fence = None
            continue
        if marker:
            fence = marker
            target.append(line)
            continue
        if not line.startswith("///"):
            target.append(line)
            continue
        if _CLOSE.match(line):
            if refused:
                refused -= 1
            elif block is None:
                problems.append(Problem(path, lineno, "audience block", "'///' closes no open block; open one with '/// public', '/// semi-technical' or '/// technical'"))  # fmt: skip
            else:
                segments.append(Segment(block.audience, "\n".join(block.lines).strip("\n")))
                block = None
            continue
        opened = _OPEN.match(line)
        if opened:
            name = opened.group(1)
            if name not in AUDIENCES:
                problems.append(Problem(path, lineno, "audience block", f"expected one of {', '.join(AUDIENCES)}; got {name!r}"))  # fmt: skip
                refused += 1
                continue
            if block is not None:
                problems.append(Problem(path, lineno, "audience block", f"blocks cannot be nested; close the '/// {AUDIENCES[block.audience]}' block of line {block.line} with '///' first"))  # fmt: skip
                refused += 1
                continue
            flush_loose()
            block = _Open(AUDIENCES.index(name), lineno, [])
            continue
        target.append(line)
    if block is not None:
        problems.append(Problem(path, block.line, "audience block", f"'/// {AUDIENCES[block.audience]}' is never closed; add a line '///' after its text"))  # fmt: skip
        segments.append(Segment(block.audience, "\n".join(block.lines).strip("\n")))
    flush_loose()
    return tuple(segments), problems


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(lines_strategy, st.sampled_from([PUBLIC, TECHNICAL]))
def test_split_blocks_equals_the_line_by_line_parse(lines, default_audience):
    expected = line_by_line_split_blocks(lines, 7, default_audience, "x.md")
    assert split_blocks(lines, 7, default_audience, "x.md") == expected
    slashes = block_lines(lines, every_line(lines))  # marks on every line: the same '///' lines
    assert split_blocks(lines, 7, default_audience, "x.md", slashes=slashes) == expected


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(lines_strategy, st.sampled_from(["incident", "maintenance"]))
def test_parse_updates_equals_the_line_by_line_parse(lines, kind):
    fast_problems: list = []
    slow_problems: list = []
    fast = parse_updates(lines, 9, "x.md", kind, TECHNICAL, fast_problems)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("statusmark.loader.marked_lines", every_line)
        patch.setattr("statusmark.loader.split_blocks", line_by_line_split_blocks)  # each update's body alone
        slow = parse_updates(lines, 9, "x.md", kind, TECHNICAL, slow_problems)
    assert (fast, fast_problems) == (slow, slow_problems)


def test_marked_lines_are_the_lines_that_can_change_the_parse():
    lines = ["text", "## h", "```", "  ~~~~", "/// public", "x ```", "    ```", "", "///"]
    assert marked_lines(lines) == [1, 2, 3, 4, 8]
    assert marked_lines([]) == [] and marked_lines(["```"]) == [0]


# Front matter: values YAML reads as text, as times, or as something else entirely.
SCALARS = [
    "Login failures",
    "minor",
    "major_outage",
    "api",
    "We're investigating",
    "Errors (EU) on /v1/orders",
    "a  b",
    "2026-11-20T14:02:00Z",
    "2026-11-20 14:02:00+01:00",
    "2026-11-20",
    "yes",
    "No",
    "off",
    "true",
    "null",
    "~",
    "12",
    "0x1f",
    "1_000",
    "3.5",
    ".inf",
    "1:20",
    "a: b",
    "a:b",
    "x:",
    "'quoted'",
    '"double"',
    "it's",
    "a # comment",
    "#hash",
    "- dash",
    "-dash",
    "*alias",
    "&anchor x",
    "!tag x",
    "|",
    ">",
    "%x",
    "@x",
    "`x`",
    "[a, b]",
    "[a,b]",
    "[]",
    "[a, , b]",
    "[a, b,]",
    "[yes, x]",
    "{a: b}",
    "{role: legal, by: Dana Reyes, at: 2026-11-20T14:20:00Z}",
    "{role: legal, role: pr}",
    "{}",
    "café",
    "a\tb",
    "...",
    "---",
    "=",
    "<<",
    "",
]
KEYS = ["title", "impact", "kind", "tags", "components", "approvals", "draft", "yes", "on", "x_y", "Title", "2"]
NESTED_KEYS = ["api", "cdn", "db-eu", "123", "yes", "0x1f", "a_b"]


@st.composite
def front_matter(draw):
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.sampled_from(KEYS))
        shape = draw(st.sampled_from(["scalar", "mapping", "list", "empty", "odd"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(st.sampled_from(SCALARS))}" + draw(st.sampled_from(["", " ", "  "])))
        elif shape in ("mapping", "list"):
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["  ", "    ", " "]))
            for _ in range(draw(st.integers(0, 3))):
                item_indent = draw(st.sampled_from([indent, indent, indent + "  ", ""]))
                if shape == "mapping":
                    lines.append(f"{item_indent}{draw(st.sampled_from(NESTED_KEYS))}: {draw(st.sampled_from(SCALARS))}")
                else:
                    lines.append(f"{item_indent}- {draw(st.sampled_from(SCALARS))}")
        elif shape == "empty":
            lines.append(f"{key}:")
        else:
            lines.append(draw(st.sampled_from(["", "  continued", "key : value", "- item", "# comment", "a: b: c"])))
    return lines


def _yaml(lines):
    try:
        return yaml.load("\n".join(lines), Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return "YAML error"


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
def test_fast_front_matter_reads_what_yaml_reads_or_declines(lines):
    fast = read_simple(lines)
    if fast is not None:
        assert fast == _yaml(lines)


@pytest.mark.parametrize(
    "lines",
    [
        ["title: Login failures", "impact: major", "tags: [database, eu]", "components:", "  api: major_outage"],
        ["title: DB upgrade", "kind: maintenance", "scheduled_start: 2026-11-20T14:00:00Z"],
        ["title: T", "approvals:", "  - {role: communications, by: Comms On-call, at: 2021-11-02T16:59:00Z}"],
        ["title: T", "components: {api: degraded_performance, cdn: operational}", "tags:", "  - a", "  - b"],
        ["title: T", "postmortem:"],
    ],
)
def test_the_common_shapes_take_the_fast_path(lines):
    fast = read_simple(lines)
    assert fast is not None  # the shortcut is taken for what incident files usually hold
    assert fast == _yaml(lines)


def test_a_parsed_event_is_the_same_either_way(monkeypatch):
    text = (
        "---\ntitle: Login failures\nimpact: major\ncomponents:\n  api: major_outage\n"
        "approvals:\n  - {role: legal, by: Dana Reyes, at: 2026-11-20T14:20:00Z}\n---\n\n"
        "## 2026-11-20T14:02:00Z investigating\n\n/// public\nWe are looking.\n///\n\ntech\n"
    )
    fast = parse_event(text, "x", "x.md", {"api"})
    monkeypatch.setattr("statusmark.loader.read_simple", lambda lines: None)
    assert parse_event(text, "x", "x.md", {"api"}) == fast
    assert fast[0] is not None and fast[0].approvals[0].at == datetime(2026, 11, 20, 14, 20, tzinfo=UTC)


# Lint: a gate that says "no" must never hide a match of its rule.
FRAGMENTS = [
    "We are investigating.",
    "10.0.12.7",
    "1.2.3",
    "v2.0",
    "fe80::1",
    "2001:db8:0:0:0:0:2:1",
    "a:b:c:d:e:f:1:2",
    "12:30",
    "Traceback (most recent call last)",
    "    at com.example.Foo(Foo.java:12)",
    "at the end (soon)",
    "ValueError: bad",
    "Exception in thread main",
    "panic: oops",
    "goroutine 12 [running]",
    "/etc/passwd",
    "/var/log/x.log",
    "see /docs/page",
    "C:\\Windows\\x.dll",
    "a27d45e",
    "deadbeef",
    "abcdefa",
    "ops@example.com",
    "AKIAABCDEFGHIJKLMNOP",
    "xoxb-1234567890-abc",
    "ghp_" + "a" * 36,
    "github_pat_" + "b" * 32,
    "glpat-" + "c" * 20,
    "sk_live_" + "d" * 16,
    "-----BEGIN RSA PRIVATE KEY-----",
    "db1.corp",
    "DB1.CORP",
    "db1.\u212aorp",  # KELVIN SIGN: the same letter as k, ignoring case
    "٣.٣.٣.٣",
    "\n",
    " ",
    "é",
]


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join))
def test_lint_gates_never_hide_a_match(text):
    config = LintConfig({}, internal_suffixes=("corp", ".internal"))
    gates = config.gates()
    for rule, regex in config.patterns().items():
        if regex.search(text):
            assert gates[rule](text), rule


def test_every_rule_has_a_gate_and_gates_do_filter():
    gates = LintConfig({}, internal_suffixes=("corp",)).gates()
    assert set(gates) == set(RULES) | {"internal-host"}
    plain = "This incident is resolved. Reports have worked normally since the fix."
    assert [rule for rule, gate in gates.items() if gate(plain)] == []
    assert re.search(RULES["ipv4"], "10.0.0.1") and gates["ipv4"]("10.0.0.1")
