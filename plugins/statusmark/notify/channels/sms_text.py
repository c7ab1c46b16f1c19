"""How much text fits in N SMS segments: GSM-7 or UCS-2, single or concatenated.

A message is sent in GSM-7 if every character is in the GSM 03.38 alphabet (160 septets in
one segment, 153 per segment once concatenated: the rest is the concatenation header);
the extension characters (``{ } [ ] ~ | ^ \\ €``) take two septets. One character outside it
(an emoji, a curly quote, "…") sends the whole message as UCS-2: 70 code units, 67 when
concatenated, and characters outside the Basic Multilingual Plane take two units.
A character pair never straddles two segments, so counting is done by packing.
"""

from __future__ import annotations

from collections.abc import Callable

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

# (characters in a single segment, per segment when concatenated), in units of the encoding.
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}

# A link is kept after cut text only if at least this much text stays with it.
MIN_TEXT_WITH_LINK = 30


def encoding(text: str) -> str:
    return "GSM-7" if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text) else "UCS-2"


def units(text: str) -> list[int]:
    """Each character's size in the encoding ``text`` would be sent in."""
    if encoding(text) == "GSM-7":
        return [2 if c in GSM_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def segments(text: str) -> int:
    """How many SMS segments ``text`` is sent as (at least 1)."""
    sizes = units(text)
    single, concatenated = LIMITS[encoding(text)]
    if sum(sizes) <= single:
        return 1
    count, used = 1, 0
    for size in sizes:
        if used + size > concatenated:
            count, used = count + 1, 0
        used += size
    return count


def fit(text: str, link: str = "", max_segments: int = 1) -> str:
    """``text`` and ``link`` within ``max_segments``, cutting ``text`` (marked with an ellipsis) if needed.

    The link is dropped only if keeping it would leave less than ``MIN_TEXT_WITH_LINK``
    characters of text. The ellipsis is "..." when the rest is GSM-7: "…" is not in the
    GSM alphabet and would halve the room by switching the whole message to UCS-2.
    """
    text = text.strip()
    whole = f"{text} {link}" if text and link else text or link
    if segments(whole) <= max_segments:
        return whole
    if link:

        def with_link(part: str) -> str:
            return f"{_cut(text, part, link)} {link}"

        part = _longest(text, with_link, max_segments)
        if part is not None and len(part) >= min(MIN_TEXT_WITH_LINK, len(text)):
            return with_link(part)

    def alone(part: str) -> str:
        return _cut(text, part)

    part = _longest(text, alone, max_segments)
    return alone(part) if part is not None else ""


def _cut(text: str, part: str, rest: str = "") -> str:
    """``part`` of ``text``, with an ellipsis if it is not all of it (in the encoding ``part + rest`` takes)."""
    if part == text:
        return part
    return part + ("..." if encoding(part + rest) == "GSM-7" else "…")


def _longest(text: str, compose: Callable[[str], str], max_segments: int) -> str | None:
    """The longest prefix of ``text`` whose ``compose(prefix)`` fits, cut at a word if one is near."""

    def fits(length: int) -> bool:
        return segments(compose(_prefix(text, length))) <= max_segments

    if not fits(0):
        return None
    low, high = 0, len(text)  # fits(low) holds; find the largest such length
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return _prefix(text, low)


def _prefix(text: str, length: int) -> str:
    """The first ``length`` characters, back to the last word break if that loses at most 15."""
    part = text[:length]
    if length < len(text) and not text[length].isspace():
        space = part.rfind(" ")
        if space >= max(length - 15, 1):
            part = part[:space]
    return part.rstrip()
