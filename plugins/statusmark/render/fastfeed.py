"""RSS and Atom feeds written as text: the bytes feedgen (through lxml) writes for them.

feedgen builds an lxml tree for every feed and serialises it: at 10,000 events a site's
31 pairs of feeds of 50 entries each cost about half a second per audience, most of it
tree building. Our feeds have one fixed shape, so here they are written directly, with
lxml's escaping; ``tests/test_speed_feeds.py`` holds them to feedgen's bytes on
generated and edge-case events. Text whose serialisation lxml decides in ways of its own
(control characters, carriage returns, empty elements, unusual attribute values) is
left to feedgen: ``writable`` says when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_TEXT_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$'()*+,;=%]+")

RSS_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
    "  <channel>\n"
)
ATOM_HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n" + '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    published: datetime
    updated: datetime
    content: str  # HTML, escaped as text
    summary: str


def writable(texts: list[str], urls: list[str]) -> bool:
    """True when every text and URL serialises here exactly as lxml would."""
    return all(text and not _TEXT_SPECIAL.search(text) for text in texts) and all(
        _PLAIN_URL.fullmatch(url) for url in urls
    )


def _text(value: str) -> str:
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def rfc2822(at: datetime) -> str:
    """feedgen's RSS date (strftime in the C locale), without switching the locale."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{days[at.weekday()]}, {at.day:02d} {months[at.month - 1]} {at.year} {at:%H:%M:%S %z}"


def rss_item(entry: Entry) -> str:
    return (
        "    <item>\n"
        f"      <title>{_text(entry.title)}</title>\n"
        f"      <link>{entry.url}</link>\n"
        f"      <description>{_text(entry.summary)}</description>\n"
        f"      <content:encoded>{_text(entry.content)}</content:encoded>\n"
        f'      <guid isPermaLink="true">{entry.url}</guid>\n'
        f"      <pubDate>{rfc2822(entry.published)}</pubDate>\n"
        "    </item>\n"
    )


def atom_entry(entry: Entry) -> str:
    return (
        "  <entry>\n"
        f"    <id>{entry.url}</id>\n"
        f"    <title>{_text(entry.title)}</title>\n"
        f"    <updated>{entry.updated.isoformat()}</updated>\n"
        f'    <content type="html">{_text(entry.content)}</content>\n'
        f'    <link href="{entry.url}"/>\n'
        f"    <summary>{_text(entry.summary)}</summary>\n"
        f"    <published>{entry.published.isoformat()}</published>\n"
        "  </entry>\n"
    )


def rss_feed(title: str, self_url: str, home: str, description: str, updated: datetime, items: list[str]) -> str:
    return (
        RSS_HEAD
        + f"    <title>{_text(title)}</title>\n"
        + f"    <link>{home}</link>\n"
        + f"    <description>{_text(description)}</description>\n"
        + f'    <atom:link href="{self_url}" rel="self"/>\n'
        + "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
        + "    <generator>Statusmark</generator>\n"
        + "    <language>en</language>\n"
        + f"    <lastBuildDate>{rfc2822(updated)}</lastBuildDate>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    )


def atom_feed(title: str, self_url: str, home: str, description: str, updated: datetime, entries: list[str]) -> str:
    return (
        ATOM_HEAD
        + f"  <id>{self_url}</id>\n"
        + f"  <title>{_text(title)}</title>\n"
        + f"  <updated>{updated.isoformat()}</updated>\n"
        + f'  <link href="{self_url}" rel="self"/>\n'
        + f'  <link href="{home}" rel="alternate"/>\n'
        + "  <generator>Statusmark</generator>\n"
        + f"  <subtitle>{_text(description)}</subtitle>\n"
        + "".join(entries)
        + "</feed>\n"
    )
