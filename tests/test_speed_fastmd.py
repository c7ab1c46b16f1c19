"""The fast Markdown path returns Python-Markdown's exact bytes, or declines."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from statusmark.loader import parse_event
from statusmark.render.fastmd import _UNSAFE, render_plain
from statusmark.render.markdown import render_markdown, render_python_markdown

from .conftest import load_script


def test_generated_update_text_renders_like_python_markdown(tmp_path: Path):
    corpus = load_script("bench/gen_corpus.py")
    paths = corpus.generate(150, tmp_path / "corpus", seed=7)
    known = {cid for cid, *_ in corpus.components()}
    texts = set()
    for path in paths:
        event, problems = parse_event(path.read_text(), path.stem, path.name, known)
        assert event is not None, problems
        for update in event.updates:
            texts.update(update.text_for(level) for level in range(3))
    fast = 0
    for text in sorted(texts):
        plain = render_plain(text)
        if plain is not None:
            fast += 1
            assert plain == render_python_markdown(text), text
        assert render_markdown(text) == render_python_markdown(text)
    assert fast > 0.9 * len(texts)  # the fast path is the common case


EXAMPLES = [
    'a "q" it\'s > b < c & d',
    "line1\nline2",
    "- a\n- b",
    "1. a\n2. b",
    "3. a\n4. b",
    'x\n\n```\n<a> & "b"\n  c\n```\n\ny',
    "```python\nx\n```",
    "a ` x < y ` b",
    "- a\n\n- b",
    "- a\n\n1. b",
    "text:\n\n- a\n\nmore",
    "snake_case and _emph_ and __strong__",
    "a *b* [c](d) <span>e</span> &amp; \\* f",
    "# heading\n\ntext\n---\n\n> quote",
    "para\n- not a list\n  indented",
    "```\nunclosed",
    "trailing  \nbreak",
    "tab\there",
    "x {: .cls}",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "   leading",
    "```\ncode\n```\ntext right after",
    "Next:\n\n1. a\n2. b\n\n- c\n- d\n\ntext",
    "- a\n\n1. b\n\n- c",
    "1. a\n\n- b\n\n1. c\n2. d",
    "- a\n\n1. b\n\n2. c",
    "1. a\n\n- b\n- c\n\n- d",
]


def test_examples_render_like_python_markdown():
    for text in EXAMPLES:
        plain = render_plain(text)
        if plain is not None:
            assert plain == render_python_markdown(text), text


def test_a_numbered_then_a_bulleted_list_take_the_fast_path():
    # With sane_lists they stay two lists; two of a kind in a row would merge (declined).
    text = "Next steps:\n\n1. fix\n2. confirm\n\n- pool 245/500\n- queue 305"
    assert render_plain(text) == render_python_markdown(text)
    assert render_plain("- a\n\n- b") is None and render_plain("1. a\n\n2. b") is None


_pieces = st.sampled_from(
    ["word", "other words", "`code_x < y`", "&", " & ", "<", "< 5", ">", "*", "_", "a_b", "[x]", "\\", "1.", "- ", "1. ",
     "```", "```py", "#", "  ", "\t", "{", "|", "~~~", "'", '"', "http://x.y/z", "<b>", "&amp;", "---", "==="]
)  # fmt: skip
_line = st.lists(_pieces, min_size=0, max_size=6).map("".join)
_text = st.lists(_line, min_size=1, max_size=10).map("\n".join)


@settings(max_examples=500)
@given(text=_text)
def test_fuzzed_text_renders_like_python_markdown_or_is_declined(text: str):
    plain = render_plain(text)
    if plain is not None:
        assert plain == render_python_markdown(text)


# What _UNSAFE finds, as first written: an "_" not inside a word, and the characters that
# are never plain. The regex in fastmd is reordered for speed; it must find the same.
_UNSAFE_AS_DEFINED = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|[*\[\]\\{}|~\t\x02\x03]|&(?! )|<(?! )")


@settings(max_examples=2000)
@given(text=st.text(alphabet="ab9Z_ *[]\\{}|~\t&<\x02\x03\n`", max_size=12))
def test_the_unsafe_regex_finds_what_its_definition_finds(text: str):
    assert (_UNSAFE.search(text) is None) == (_UNSAFE_AS_DEFINED.search(text) is None)
