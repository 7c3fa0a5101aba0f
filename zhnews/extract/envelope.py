"""Split an archive file's raw bytes into its envelope (front matter, stamp, title, URL, 日期 line) and HTML.

The archiver writes a small text header before a single line of HTML. This module only cuts the file
into those parts; it does not interpret dates, outlets or HTML (dates.py, outlets.py and meta.py do).
Everything here works on short header lines, never on the whole HTML, to keep parsing fast.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from zhnews.article import ParseError

_REPLACEMENT = "\ufffd"
_STAMP = re.compile(r"<!--\s*(\d{1,16})\s*-->\s*$")
_RULE = re.compile(r"-{3,}\s*$")  # the setext underline after the title line (`------`)
_DATE_LINE = re.compile(r"日期\s*[：:]\s*(.*)$")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_FM_LINE = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_WRAP_OPEN = "<div>\n"
_WRAP_CLOSE = "\n</div>"
# Headers are short: never look for them further than this many lines into the file.
_MAX_HEADER_LINES = 40

try:  # the C loader is ~10x faster; the pure-Python one gives the same result
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader


@dataclass(slots=True)
class Envelope:
    title_raw: str  # the [title] as written (brackets inside kept)
    url_raw: str  # the (url) as written
    html: str  # the article HTML, the `<div>\n…\n</div>` front-matter wrapper removed
    front_matter: dict[str, Any] = field(default_factory=dict)
    stamp_ms: int | None = None  # the archiver's <!--ms--> comment: the feed's time in Unix milliseconds
    date_text: str = ""  # the value of a `日期：` line (CDT files without a stamp)
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text: UTF-8 (with or without BOM) as a rule; UTF-16/32 by their BOM (UTF-16 also without
    one); GB18030 (a superset of GBK and GB2312) or Big5 for older files. Never mojibake: a few invalid
    UTF-8 bytes (a name or title cut mid-character) become U+FFFD and a warning; text in no known encoding
    is a ParseError.

    Why a trial and no detector library: GB18030 accepts almost any Big5 byte pair and Big5 many GBK ones,
    so "which one decodes" is not enough; the decoding whose non-ASCII characters are mostly Chinese text
    (ideographs and CJK punctuation, not kana, Greek or box drawing) wins. On our fixtures and a tenth of
    the real sample re-encoded (518 files) this picked right every time; charset-normalizer 3.4.7 got
    10 of them wrong (Korean or no answer for mostly-English files) and costs a dependency.
    """
    warnings: list[str] = []
    text = _by_bom(data)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text, warning = _not_utf8(data)
            warnings.append(warning)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, warnings


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_LEGACY = ("gb18030", "big5")
_CHINESE = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2027]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_DAMAGED_UTF8 = 0.02  # at most this share of invalid sequences among non-ASCII characters: damaged UTF-8


def _by_bom(data: bytes) -> str | None:
    for bom, codec in _BOMS:  # UTF-32 LE first: its BOM starts with UTF-16 LE's
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise ParseError(f"invalid {codec.upper()} text after its byte order mark") from None
    return None


def _not_utf8(data: bytes) -> tuple[str, str]:
    """(text, warning) of a file that is not valid UTF-8; ParseError when no encoding fits."""
    replaced = data.decode("utf-8", "replace")
    bad = replaced.count(_REPLACEMENT) - data.count(_REPLACEMENT.encode())
    if bad <= max(3, _DAMAGED_UTF8 * len(_NON_ASCII.findall(replaced))):
        return replaced, f"invalid UTF-8: {max(bad, 1)} byte sequence(s) replaced"
    candidates: list[tuple[float, str, str]] = []
    if data.count(0) > len(data) // 4:  # UTF-16 without a BOM: every ASCII character has a zero byte
        codec = "utf-16-le" if data[1::2].count(0) > data[::2].count(0) else "utf-16-be"
        with contextlib.suppress(UnicodeDecodeError):
            candidates.append((1.0, codec, data.decode(codec)))
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        non_ascii = len(_NON_ASCII.findall(text)) or 1
        candidates.append((len(_CHINESE.findall(text)) / non_ascii, codec, text))
    score, codec, text = max(candidates, default=(0.0, "", ""))
    if score < 0.5:
        raise ParseError(f"unknown text encoding: not UTF-8 ({bad} invalid byte sequences), UTF-16, GB18030 "
                         "or Big5; convert the file to UTF-8")
    return text, f"decoded as {codec.upper()}, not UTF-8"


_FRONT_MATTER_VALUES = 10_000  # values in one front matter: a real one has a dozen


class _Unsafe(Exception):
    """YAML aliases that refer to themselves or expand without bound (a "billion laughs")."""


def _plain(value: Any, budget: list[int], inside: frozenset[int] = frozenset()) -> Any:
    """YAML values as JSON-friendly plain data (dates as ISO strings), each alias copied out at most
    within `budget` values, never into itself."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unsafe
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        if id(value) in inside:
            raise _Unsafe
        inside = inside | {id(value)}
        if isinstance(value, list):
            return [_plain(v, budget, inside) for v in value]
        return {str(k): _plain(v, budget, inside) for k, v in value.items()}
    return value


def _front_matter_lines(lines: list[str]) -> dict[str, Any]:
    """Fallback for front matter that is not valid YAML (e.g. a title with unbalanced quotes)."""
    result: dict[str, Any] = {}
    for line in lines:
        if m := _FM_LINE.match(line):
            value = m.group(2).strip()
            if value.startswith("[") and value.endswith("]"):
                result[m.group(1)] = [v.strip().strip("\"'") for v in value[1:-1].split(",") if v.strip()]
            else:
                result[m.group(1)] = value.strip("\"'")
    return result


def parse_front_matter(lines: list[str]) -> dict[str, Any]:
    """Jekyll front matter as a dict; YAML first, a line-by-line reading when the YAML is broken or unsafe
    (anchors that refer to themselves or expand exponentially: real front matter has neither)."""
    try:
        loaded = yaml.load("\n".join(lines), Loader=_YamlLoader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        loaded = None
    if isinstance(loaded, dict):
        try:
            return _plain(loaded, [_FRONT_MATTER_VALUES])
        except (_Unsafe, RecursionError):
            pass  # read line by line like broken YAML: the keys we use are plain `key: value` lines
    return _front_matter_lines(lines)


def _front_matter_str(front_matter: dict[str, Any], key: str) -> str:
    value = front_matter.get(key)
    return value.strip() if isinstance(value, str) else ""


def split_title_line(line: str) -> tuple[str, str] | None:
    """`[title](url)` -> (title, url). Titles may hold brackets and parentheses, URLs parentheses.

    The split is at the first `](` whose remainder is a single URL-like token ending the line.
    """
    line = line.strip()
    if not (line.startswith("[") and line.endswith(")")):
        return None
    start = 1
    while (i := line.find("](", start)) != -1:
        url = line[i + 2 : -1].strip()
        if url and len(url.split()) == 1 and (_SCHEME.match(url) or url.startswith("//")):
            return line[1:i], url
        start = i + 1
    return None


def split(data: bytes) -> Envelope:
    """Cut a file into its envelope and HTML; ParseError when there is no `[title](url)` header."""
    text, warnings = decode(data)
    # Only the header is split into lines; the HTML stays one string.
    head_parts = text.split("\n", _MAX_HEADER_LINES)
    lines = head_parts[:_MAX_HEADER_LINES]
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    front_matter: dict[str, Any] = {}
    if i < len(lines) and lines[i].strip() == "---":
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is None:
            raise ParseError("front matter (---) is never closed")
        front_matter = parse_front_matter(lines[i + 1 : end])
        i = end + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    stamp_ms = None
    if i < len(lines) and (m := _STAMP.match(lines[i].strip())):
        stamp_ms = int(m.group(1))
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
    pair = split_title_line(lines[i]) if i < len(lines) else None
    if pair is not None:
        title_raw, url_raw = pair
        i += 1
        if i < len(lines) and _RULE.match(lines[i].strip()):
            i += 1
    elif _front_matter_str(front_matter, "title") and _front_matter_str(front_matter, "from"):
        title_raw, url_raw = "", ""  # the front matter still names the article (filled in below)
    elif i >= len(lines):
        raise ParseError("no [title](url) line: the file has no header")
    else:
        raise ParseError(f"no [title](url) line: found {lines[i].strip()[:60]!r} instead")
    # A front-matter file whose title line lost its title or URL still says both in its front matter.
    title_raw = title_raw or _front_matter_str(front_matter, "title")
    url_raw = url_raw or _front_matter_str(front_matter, "from")
    date_text = ""
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and (m := _DATE_LINE.match(lines[i].strip())):
        date_text = m.group(1).strip()
        i += 1
    html = "\n".join(head_parts[i:]).strip()
    if front_matter and html.startswith(_WRAP_OPEN) and html.endswith(_WRAP_CLOSE):
        html = html[len(_WRAP_OPEN) : -len(_WRAP_CLOSE)].strip()
    return Envelope(
        title_raw=title_raw,
        url_raw=url_raw,
        html=html,
        front_matter=front_matter,
        stamp_ms=stamp_ms,
        date_text=date_text,
        warnings=warnings,
    )
