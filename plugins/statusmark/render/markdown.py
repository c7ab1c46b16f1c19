"""Markdown of update text to HTML, cached: the same text renders once per process.

Plain text (paragraphs, simple lists, fenced code) takes the fast path of ``fastmd``,
which returns Python-Markdown's exact bytes; anything else goes to Python-Markdown.
"""

from __future__ import annotations

from functools import lru_cache

import markdown

from .fastmd import render_plain

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "attr_list"]
_renderer = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


def render_python_markdown(text: str) -> str:
    _renderer.reset()
    return _renderer.convert(text)


@lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    fast = render_plain(text)
    return fast if fast is not None else render_python_markdown(text)
