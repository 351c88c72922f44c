"""The W3C feed validator's rules, written out as checks the tests can run offline.

Each function takes a strictly parsed feed (an lxml element) and returns a
list of problems, one readable line each; an empty list means the feed
passes. They follow what https://validator.w3.org/feed/ reports for RSS 2.0
and Atom 1.0: required elements, date formats, absolute links and ids,
guid/isPermaLink, atom:link rel="self", and safe, absolute HTML content.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections import Counter
from urllib.parse import urlparse

from bs4 import BeautifulSoup
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS = {"atom": ATOM, "dc": DC, "content": CONTENT}

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RFC822_RE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (0[1-9]|[12][0-9]|3[01]) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] ([+-](0[0-9]|1[0-4])[0-5][0-9]|GMT)"
)
RFC3339_RE = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
LANG_RE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Characters XML 1.0 does not allow, raw or as a character reference.
XML_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CHAR_REF_RE = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")
ACTIVE_TAGS = ("script", "iframe", "object", "embed", "svg", "math", "style", "form", "base", "link", "meta")
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "background", "cite")


def parse_strict(data: bytes) -> etree._Element:
    """Parse a feed as a strict XML parser does: any error raises."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def rfc822(text: str | None) -> dt.datetime | None:
    """The date of an RSS date-time, or None if it is not strict RFC 822 (with a 4-digit year)."""
    if text is None or not RFC822_RE.fullmatch(text):
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None or DAYS[value.weekday()] != text[:3]:
        return None
    if email.utils.format_datetime(value, usegmt=text.endswith("GMT")) != text:
        return None
    return value


def rfc3339(text: str | None) -> dt.datetime | None:
    """The date of an Atom date construct, or None if it is not RFC 3339."""
    if text is None or not RFC3339_RE.fullmatch(text):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_absolute_http(url: str | None) -> bool:
    if not url:
        return False
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and url == url.strip()


def is_absolute_uri(uri: str | None) -> bool:
    return bool(uri) and bool(urlparse(uri).scheme) and not re.search(r"\s", uri)


def content_problems(html: str, where: str) -> list[str]:
    """Active content or relative addresses in an item's HTML."""
    problems = []
    page = BeautifulSoup(html, "html.parser")
    for tag in page.find_all(ACTIVE_TAGS):
        problems.append(f"{where}: active element <{tag.name}>")
    for tag in page.find_all(True):
        for attr, value in tag.attrs.items():
            if attr.lower().startswith("on"):
                problems.append(f"{where}: event handler {attr} on <{tag.name}>")
            if attr.lower() in URL_ATTRIBUTES:
                url = str(value).strip()
                scheme = urlparse(url).scheme.lower()
                if scheme in ("javascript", "data", "vbscript"):
                    problems.append(f"{where}: {scheme}: address in {attr}")
                elif scheme != "mailto" and not is_absolute_http(url):
                    problems.append(f"{where}: relative address {url!r} in {attr} of <{tag.name}>")
    return problems


def _one(parent: etree._Element, path: str, where: str, problems: list[str]) -> etree._Element | None:
    found = parent.findall(path, NS)
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} <{path}> elements, need exactly one")
        return None
    return found[0]


def _text(element: etree._Element | None) -> str:
    return "" if element is None or element.text is None else element.text.strip()


def rss_problems(root: etree._Element, self_url: str) -> list[str]:
    """RSS 2.0 as the W3C validator checks it."""
    problems: list[str] = []
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f'root is <{root.tag} version="{root.get("version")}">, not <rss version="2.0">']
    channel = _one(root, "channel", "rss", problems)
    if channel is None:
        return problems
    for name in ("title", "link", "description"):
        element = _one(channel, name, "channel", problems)
        if element is not None and not _text(element):
            problems.append(f"channel: <{name}> is empty")
    if not is_absolute_http(_text(channel.find("link"))):
        problems.append(f"channel: <link> {_text(channel.find('link'))!r} is not an absolute http(s) URL")
    for name in ("lastBuildDate", "pubDate"):
        for element in channel.findall(name):
            if rfc822(element.text) is None:
                problems.append(f"channel: <{name}> {element.text!r} is not an RFC 822 date")
    for element in channel.findall("language"):
        if not LANG_RE.fullmatch(_text(element)):
            problems.append(f"channel: <language> {element.text!r} is not a language code")
    selfs = [link for link in channel.findall("atom:link", NS) if link.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append(f'channel: {len(selfs)} atom:link rel="self", need one')
    elif selfs[0].get("href") != self_url:
        problems.append(f'channel: atom:link rel="self" is {selfs[0].get("href")!r}, not {self_url!r}')
    guids = []
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"item {number}"
        if not _text(item.find("title")) and not _text(item.find("description")):
            problems.append(f"{where}: neither <title> nor <description>")
        guid = _one(item, "guid", where, problems)
        link = _text(item.find("link"))
        if item.find("link") is not None and not is_absolute_http(link):
            problems.append(f"{where}: <link> {link!r} is not an absolute http(s) URL")
        if guid is not None:
            guids.append(_text(guid))
            if guid.get("isPermaLink", "true") == "true":
                if not is_absolute_http(_text(guid)):
                    problems.append(f"{where}: permalink guid {_text(guid)!r} is not an absolute http(s) URL")
                if _text(guid) != link:
                    problems.append(f"{where}: permalink guid {_text(guid)!r} differs from <link> {link!r}")
        pub = item.find("pubDate")
        if pub is not None and rfc822(pub.text) is None:
            problems.append(f"{where}: <pubDate> {pub.text!r} is not an RFC 822 date")
        for author in item.findall("author"):
            if not EMAIL_RE.search(_text(author)):
                problems.append(f"{where}: <author> must be an e-mail address (use dc:creator for a name)")
        for category in item.findall("category"):
            if not _text(category):
                problems.append(f"{where}: empty <category>")
        for name in ("description", "content:encoded"):
            for element in item.findall(name, NS):
                problems += content_problems(element.text or "", f"{where} <{name}>")
    problems += [f"guid {guid!r} is used {n} times" for guid, n in Counter(guids).items() if n > 1]
    return problems


def _atom_author_problems(parent: etree._Element, where: str) -> list[str]:
    problems = []
    for author in parent.findall("atom:author", NS):
        if not _text(author.find("atom:name", NS)):
            problems.append(f"{where}: <author> without a <name>")
    return problems


def atom_problems(root: etree._Element, self_url: str) -> list[str]:
    """Atom 1.0 (RFC 4287) as the W3C validator checks it."""
    problems: list[str] = []
    if root.tag != f"{{{ATOM}}}feed":
        return [f"root is <{root.tag}>, not an Atom <feed>"]
    for name in ("id", "title", "updated"):
        _one(root, f"atom:{name}", "feed", problems)
    if not is_absolute_uri(_text(root.find("atom:id", NS))):
        problems.append(f"feed: <id> {_text(root.find('atom:id', NS))!r} is not an absolute URI")
    if rfc3339(_text(root.find("atom:updated", NS))) is None:
        problems.append(f"feed: <updated> {_text(root.find('atom:updated', NS))!r} is not an RFC 3339 date")
    problems += _atom_author_problems(root, "feed")
    entries = root.findall("atom:entry", NS)
    if root.find("atom:author", NS) is None and not all(
        e.find("atom:author", NS) is not None for e in entries
    ):
        problems.append("feed: no <author>, and not every entry has one")
    for link in root.iter(f"{{{ATOM}}}link"):
        if not is_absolute_http(link.get("href")):
            problems.append(f"<link> href {link.get('href')!r} is not an absolute http(s) URL")
    selfs = [link for link in root.findall("atom:link", NS) if link.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append(f'feed: {len(selfs)} <link rel="self">, need one')
    elif selfs[0].get("href") != self_url:
        problems.append(f'feed: <link rel="self"> is {selfs[0].get("href")!r}, not {self_url!r}')
    ids = []
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        for name in ("id", "title", "updated"):
            _one(entry, f"atom:{name}", where, problems)
        entry_id = _text(entry.find("atom:id", NS))
        ids.append(entry_id)
        if not is_absolute_uri(entry_id):
            problems.append(f"{where}: <id> {entry_id!r} is not an absolute URI")
        alternates = [
            link for link in entry.findall("atom:link", NS) if link.get("rel", "alternate") == "alternate"
        ]
        if not alternates and entry.find("atom:content", NS) is None:
            problems.append(f"{where}: neither <link rel=alternate> nor <content>")
        dates = {}
        for name in ("published", "updated"):
            element = entry.find(f"atom:{name}", NS)
            if element is not None:
                dates[name] = rfc3339(_text(element))
                if dates[name] is None:
                    problems.append(f"{where}: <{name}> {element.text!r} is not an RFC 3339 date")
        if dates.get("published") and dates.get("updated") and dates["updated"] < dates["published"]:
            problems.append(f"{where}: <updated> is before <published>")
        problems += _atom_author_problems(entry, where)
        for content in entry.findall("atom:content", NS):
            if content.get("type") != "html":
                problems.append(f'{where}: <content type="{content.get("type")}">, expected type="html"')
            problems += content_problems(content.text or "", f"{where} <content>")
    problems += [f"id {i!r} is used {n} times" for i, n in Counter(ids).items() if n > 1]
    return problems


def text_problems(data: bytes) -> list[str]:
    """What must not be anywhere in a feed file: e-mail addresses, characters XML forbids."""
    text = data.decode("utf-8")
    problems = [f"e-mail address {m!r}" for m in EMAIL_RE.findall(text)]
    problems += [f"character not allowed in XML: {m!r}" for m in XML_ILLEGAL_RE.findall(text)]
    for ref in CHAR_REF_RE.findall(text):
        code = int(ref[1:], 16) if ref.startswith("x") else int(ref)
        if code > 0x10FFFF or XML_ILLEGAL_RE.fullmatch(chr(code)):
            problems.append(f"character reference not allowed in XML: &#{ref};")
    return problems
