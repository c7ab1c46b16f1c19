"""Markdown of update text to HTML, cached: the same text renders once per process.

An update's HTML is its audience blocks rendered one by one, each as a document of its
own (``render_update``): the text of one block never changes how another renders. (Joined
first, a list ending a semi-technical block and a list opening the technical one became a
single loose list, for technical readers only.) It also lets each block render once for
every audience that sees it.

Plain text (paragraphs, simple lists, fenced code) takes the fast path of ``fastmd``,
which returns Python-Markdown's exact bytes; anything else goes to Python-Markdown.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

import markdown

from .fastmd import render_plain

if TYPE_CHECKING:
    from ..model import Update

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "attr_list"]


@cache
def _renderer() -> markdown.Markdown:
    """Made at its first use: most builds never need it (plain text takes ``fastmd``), and
    making it was 9 ms of every command's start."""
    return markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


def render_python_markdown(text: str) -> str:
    renderer = _renderer()
    renderer.reset()
    return renderer.convert(text)


@lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    fast = render_plain(text)
    return fast if fast is not None else render_python_markdown(text)


def render_update(update: Update) -> str:
    """The HTML of the blocks ``update`` holds (after the audience view), in order."""
    return "\n".join(html for html in (render_markdown(s.text) for s in update.segments if s.text) if html)
