"""Markdown of update text to HTML, cached: the same text renders once per process."""

from __future__ import annotations

from functools import lru_cache

import markdown

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "attr_list"]
_renderer = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


@lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    _renderer.reset()
    return _renderer.convert(text)
