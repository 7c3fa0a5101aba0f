"""Plain-text helpers shared by the parser, the search text and the plugin."""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

# Dropped from article text: zero-width and formatting characters (ZWSP, ZWJ, LRM, BOM, soft hyphen,
# bidi overrides), C0/C1 controls except tab and newline (CR is folded into newline first), and what XML
# cannot carry (lone surrogates, U+FFFE, U+FFFF: the Atom feed is XML).
# One regex: str.translate with a dict is ~10x slower on long text (it works per character).
_DROP = re.compile(
    "[\u200b-\u200f\u2060\ufeff\u00ad\u202a-\u202e\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\ud800-\udfff\ufffe\uffff]+"
)
# What XML 1.0 cannot carry at all (controls but tab, newline and CR; surrogates; U+FFFE, U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]+")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

# Han ideographs: the BMP blocks and the supplementary planes (extensions B and later).
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN}]")
_WORD_OR_HAN = re.compile(f"[{HAN}]|[^\\W{HAN}_]+")


def clean_line(text: str) -> str:
    """One line of text: no invisible or control characters, runs of any kind of space collapsed."""
    text = _DROP.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def xml_safe(text: str) -> str:
    """`text` without the characters XML cannot carry: any stored value may end up in the Atom feed, and
    one such character made the whole feed fail (they come in raw, or as `&#xFFFF;` in the HTML)."""
    return _XML_ILLEGAL.sub("", text)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC t2s); other scripts pass through unchanged.

    OpenCC needs encodable text, so a lone surrogate (from a broken escape) becomes "?" first.
    """
    try:
        return _t2s().convert(text)
    except UnicodeEncodeError:
        return _t2s().convert(text.encode("utf-8", "replace").decode("utf-8"))


def char_count(text: str) -> int:
    """Length that is fair to Chinese: each Han character counts 1, each word of another script counts 1.

    `char_count("美国总统Joe Biden说2024")` == 4 + 2 + 1 + 1 == 8.
    """
    return len(_WORD_OR_HAN.findall(text))
