"""Front matter of the common shape read without a YAML parser, exactly as YAML reads it.

Most incident files hold a few ``key: word`` lines, a ``[a, b]`` list of tags and a
``components:`` mapping of ids to statuses. For those, this reader returns what
``yaml.load`` returns, at a tenth of its cost (YAML was a third of a check). Anything
else (quotes, comments, block lists, numbers, booleans, non-ASCII text, tabs, odd
indentation) makes it answer ``None`` and the caller falls back to YAML: it only
accepts text whose meaning it is sure of, and lets PyYAML's own resolver type every
scalar, so the two can never disagree (``tests/test_frontmatter.py`` checks that).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from yaml import ScalarNode
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_TOP = re.compile(r"([a-z_]+):(?: +(.*?))? *")
_NESTED = re.compile(r"( +)([a-z0-9][a-z0-9_-]*): +(.*?) *")
_ITEM = re.compile(r"( +)- +(.*?) *")
_PAIR = re.compile(r"([a-z_]+): +(.*)")
# A plain scalar whose characters YAML gives no meaning to (no ': ', ' #', quotes, flow
# or block indicators); the resolver then decides if it is a string, a time or else.
_PLAIN = re.compile(r"[A-Za-z0-9(/._][A-Za-z0-9 ._/()+':-]*")
_resolver = Resolver()
_NO: Any = object()  # "not a value this reader is sure of" (None is a value: YAML's null)


@lru_cache(maxsize=4096)  # ids, statuses, impacts and tags repeat across files
def _tag(text: str) -> str:
    return _resolver.resolve(ScalarNode, text, (True, False))


_timestamp = SafeConstructor().construct_yaml_timestamp


def _scalar(text: str) -> Any:
    """The value of a plain scalar, or ``_NO`` if it is not one this reader is sure of."""
    if not _PLAIN.fullmatch(text) or ": " in text or text.endswith(":"):
        return _NO
    tag = _tag(text)
    if tag == _STR:
        return text
    if tag == _TIMESTAMP:
        value = _timestamp(ScalarNode(tag, text))
        return value if isinstance(value, datetime) else _NO  # a bare date: let YAML say it
    return _NO


def _value(text: str) -> Any:
    """A plain scalar, a flow list of them or a flow mapping of ``key: scalar`` pairs."""
    if text.startswith("{") and text.endswith("}"):
        found: dict[str, Any] = {}
        for pair in text[1:-1].split(","):
            match = _PAIR.fullmatch(pair.strip(" "))
            if match is None or match.group(1) in found or not _is_str(match.group(1)):
                return _NO
            found[match.group(1)] = value = _scalar(match.group(2))
            if value is _NO:
                return _NO
        return found
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip(" ")
        if not inner:
            return []
        items = [_scalar(item.strip(" ")) for item in inner.split(",")]
        return _NO if any(item is _NO for item in items) else items
    return _scalar(text)


def read_simple(lines: list[str]) -> dict[str, Any] | None:
    """The mapping these front-matter lines hold, or None when YAML must read them."""
    if not lines:
        return None  # YAML reads nothing as None, not as an empty mapping
    meta: dict[str, Any] = {}
    opened = ""  # the "key:" whose indented lines follow ("" when none)
    indent = ""
    for line in lines:
        if not line or "#" in line or "\t" in line or not line.isascii():
            return None
        if line[0] == " ":
            if not opened:
                return None
            item = _ITEM.fullmatch(line)
            nested = None if item else _NESTED.fullmatch(line)
            if item is None and nested is None:
                return None
            indent = indent or (item or nested).group(1)  # type: ignore[union-attr]
            container = meta[opened]
            if (item or nested).group(1) != indent:  # type: ignore[union-attr]
                return None
            if item is not None:  # "  - value" under "key:": a list
                value = _value(item.group(2))
                if container is None:
                    container = meta[opened] = []
                if not isinstance(container, list) or value is _NO:
                    return None
                container.append(value)
                continue
            assert nested is not None
            key, value = nested.group(2), _scalar(nested.group(3))
            if container is None:
                container = meta[opened] = {}
            if not isinstance(container, dict) or value is _NO or key in container or not _is_str(key):
                return None
            container[key] = value
            continue
        top = _TOP.fullmatch(line)
        if top is None:
            return None
        key, text = top.groups()
        if key in meta or not _is_str(key):
            return None
        opened = indent = ""
        if text is None:
            meta[key], opened = None, key  # a mapping or a list, as the lines under it say
            continue
        value = _value(text)
        if value is _NO:
            return None
        meta[key] = value
    return meta


def _is_str(key: str) -> bool:
    return _tag(key) == _STR
