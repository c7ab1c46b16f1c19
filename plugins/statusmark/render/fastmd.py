"""A fast path for the plain Markdown most incident updates are written in.

Python-Markdown costs about a millisecond per update; rendering every update of a big
history for three audiences made it most of a cold build. Most update text is a few
plain paragraphs, simple lists and fenced code blocks. For text made *only* of those,
``render_plain`` returns exactly the HTML Python-Markdown (with the extensions in
``markdown.py``) returns, byte for byte, in a fraction of the time; for anything else it
returns None and the caller renders with Python-Markdown.

The subset is deliberately narrow and every rule errs towards "not plain":

- blocks separated by blank lines: paragraphs, ``- `` lists, ``1. `` lists, and
  ```` ``` ```` fenced code (optionally with a language) between blank lines;
- inline: text and single-backtick code spans; ``&``, ``<`` only before a space, ``>``
  not at the start of a line;
- no tabs, no leading or trailing blanks on a line outside code, no emphasis, links,
  HTML, escapes, attribute lists, tables, headings, rules or block quotes, and no two
  lists of the same kind in a row (Python-Markdown would merge them into one loose
  list; with ``sane_lists`` a bulleted and a numbered list stay two lists).

``tests/test_speed_fastmd.py`` checks it against Python-Markdown on generated text and
on fuzzed input; bump ``VERSION`` whenever the output of either path may change.
"""

from __future__ import annotations

import re

VERSION = "2"

# Characters that never appear in plain text outside a code span.
# Every branch starts with its character (the look behind an "_" comes after it): the
# regex engine then skips to those characters, instead of trying each branch at every
# position (2.3 times faster on text with an "_" in a word).
_UNSAFE = re.compile(r"[*\[\]\\{}|~\t\x02\x03]|&(?! )|<(?! )|_(?:(?<![A-Za-z0-9]_)|(?![A-Za-z0-9]))")
_SPECIAL = re.compile(r"[_*\[\]\\{}|~\t\x02\x03&<]")  # cheap first look for _UNSAFE's characters
_ORDERED = re.compile(r"\d+\.")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_UL_ITEM = re.compile(r"- +(\S.*)$")
_OL_ITEM = re.compile(r"(\d+)\. +(\S.*)$")
_BLOCK_START = re.compile(r"[-+*] |\d+\. |#|=+$|-+$|```|~~~")
_FENCE_OPEN = re.compile(r"```([A-Za-z0-9_+-]*)$")


class _NotPlain(Exception):
    pass


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(line: str) -> str:
    """One line of a paragraph or list item: escaped text and code spans."""
    if not line or line != line.strip() or line.startswith(">"):
        raise _NotPlain
    if "`" not in line:
        if _SPECIAL.search(line) and _UNSAFE.search(line):
            raise _NotPlain
        return _escape(line) if ">" in line or "&" in line or "<" in line else line
    parts = _CODE_SPAN.split(line)
    if len(parts) % 2 == 0:  # pragma: no cover - split always gives an odd count
        raise _NotPlain
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            code = part.strip()
            if not code or "\\" in part:
                raise _NotPlain
            out.append(f"<code>{_escape(code)}</code>")
        else:
            if not part and 0 < index < len(parts) - 1:  # `a``b`: Python-Markdown sees a `` delimiter
                raise _NotPlain
            if "`" in part or (_SPECIAL.search(part) and _UNSAFE.search(part)):
                raise _NotPlain
            out.append(_escape(part))
    return "".join(out)


def _paragraph(lines: list[str]) -> str:
    for line in lines[1:]:
        if _BLOCK_START.match(line):
            raise _NotPlain
    first = lines[0]
    if _BLOCK_START.match(first) or _ORDERED.match(first):
        raise _NotPlain
    text = "\n".join(lines)
    if "`" in text:
        return "<p>" + "\n".join(_inline(line) for line in lines) + "</p>"
    # _inline's checks, those of single characters over the whole block at once ("\n" is
    # neither a letter nor a blank to _UNSAFE, as a line's start and end are not).
    for line in lines:
        if line != line.strip() or line[0] == ">":
            raise _NotPlain
    if _SPECIAL.search(text) and _UNSAFE.search(text):
        raise _NotPlain
    return "<p>" + (_escape(text) if ">" in text or "&" in text or "<" in text else text) + "</p>"


def _list(lines: list[str]) -> str:
    ordered = _OL_ITEM.match(lines[0])
    items = []
    for line in lines:
        match = _OL_ITEM.match(line) if ordered else _UL_ITEM.match(line)
        if not match:
            raise _NotPlain
        text = match.group(match.lastindex or 1)
        if _BLOCK_START.match(text) or _ORDERED.match(text):
            raise _NotPlain
        items.append(f"<li>{_inline(text)}</li>")
    if ordered:
        start = ordered.group(1)
        head = "<ol>" if start == "1" else None
        if head is None:
            raise _NotPlain
        return head + "\n" + "\n".join(items) + "\n</ol>"
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


def render_plain(text: str) -> str | None:
    """Python-Markdown's HTML for ``text`` if it is plain (see the module doc), else None."""
    if "\r" in text or "\t" in text or "\x02" in text or "\x03" in text:
        return None
    lines = text.split("\n")
    out: list[str] = []
    previous_list = ""  # the kind of list the previous block was ("ul", "ol"), if it was one
    index, count = 0, len(lines)
    try:
        while index < count:
            line = lines[index]
            if not line:
                index += 1
                continue
            if line.startswith("```"):
                opened = _FENCE_OPEN.match(line)
                if not opened or (index and lines[index - 1]):
                    raise _NotPlain
                try:
                    end = lines.index("```", index + 1)
                except ValueError:
                    raise _NotPlain from None
                code_lines = lines[index + 1 : end]
                if not code_lines or (end + 1 < count and lines[end + 1]) or any(map(str.isspace, code_lines)):
                    raise _NotPlain
                code = "\n".join(code_lines)
                # Another fence where a line starts (looked for only where the characters are).
                if ("```" in code or "~~~" in code) and any(c.startswith(("```", "~~~")) for c in code_lines):
                    raise _NotPlain
                code = _escape(code).replace('"', "&quot;") + "\n"
                lang = opened.group(1)
                head = f'<pre><code class="language-{lang}">' if lang else "<pre><code>"
                out.append(f"{head}{code}</code></pre>")
                previous_list = ""
                index = end + 1
                continue
            try:  # the block ends at a blank line (a fence within it is refused by _paragraph and _list)
                end = lines.index("", index)
            except ValueError:
                end = count
            block = lines[index:end]
            kind = "ul" if _UL_ITEM.match(block[0]) else "ol" if _OL_ITEM.match(block[0]) else ""
            if kind:
                if previous_list == kind:
                    raise _NotPlain
                out.append(_list(block))
            else:
                out.append(_paragraph(block))
            previous_list = kind
            index = end
    except _NotPlain:
        return None
    return "\n".join(out)
