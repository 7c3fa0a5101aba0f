"""Which language an article is written in, from its own text (feeds do not say, or say it wrongly).

Chinese vs English: the share of Han characters against Latin letters. Traditional vs Simplified: the Han
characters that OpenCC's t2s conversion changes — Simplified text is (nearly) a fixed point of t2s, while
Traditional text changes in roughly a quarter to a third of its characters. The conversion runs on the whole
text, so phrase rules keep Simplified words such as 著名 or 乾隆 unchanged.
"""

from __future__ import annotations

import re
from operator import ne

from zhnews.text import HAN, to_simplified

_HAN_RUN = re.compile(f"[{HAN}]+")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_OTHER_LETTERS = re.compile(f"[^\\W\\d_A-Za-z\u00c0-\u024f{HAN}]+")
# zhnews.text.char_count's words: runs of letters and digits of any script but Han (each Han counts 1).
_NON_HAN_WORD = re.compile(f"[^\\W{HAN}_]+")

# A text is Traditional when at least this share of its Han characters change under t2s. Measured on the
# real archive: Simplified articles quoting Traditional passages reach 0.12, Traditional articles (CNA,
# DW's Hong Kong pieces) start at 0.23 — the threshold sits in that gap.
_TRADITIONAL_SHARE = 0.15
# The script is decided on (at most) this many Han characters: plenty for a stable share, and it keeps
# the t2s conversion cheap on very long articles.
_SAMPLE = 4000


def detect_language(text: str) -> str:
    """One of zh-Hans, zh-Hant, en or other (also for empty text)."""
    return _language(*_tally(text))


def language_and_count(title: str, text: str) -> tuple[str, int]:
    """(detect_language(f"{title}\\n{text}"), zhnews.text.char_count(text)) from one reading of the text:
    the parser needs both, and each alone reads the whole text (no run spans the newline, so the
    tallies of title and text add up)."""
    runs, han, latin, other = _tally(text)
    title_runs, title_han, title_latin, title_other = _tally(title)
    count = han + len(_NON_HAN_WORD.findall(text))
    return _language(title_runs + runs, title_han + han, title_latin + latin, title_other + other), count


def _tally(text: str) -> tuple[list[str], int, int, int]:
    """The Han runs of `text`, and its numbers of Han characters, Latin letters and other letters."""
    runs = _HAN_RUN.findall(text)
    latin = sum(map(len, _LATIN_RUN.findall(text)))
    other = sum(map(len, _OTHER_LETTERS.findall(text)))
    return runs, sum(map(len, runs)), latin, other


def _language(runs: list[str], han: int, latin: int, other: int) -> str:
    # One Han character carries about as much as a short Latin word: weigh it like ~3 letters, so a
    # Chinese article full of English names and URLs stays Chinese.
    if han * 3 >= latin and han >= other and han > 0:
        sample = " ".join(runs)[: _SAMPLE + _SAMPLE // 4]
        return _chinese_script(sample, min(han, len(sample) - sample.count(" ")))
    if latin > other and latin >= 2:
        return "en"
    return "other"


def _chinese_script(han_text: str, han: int) -> str:
    """`han_text`: the Han runs of the text joined by spaces (so no phrase spans two runs)."""
    simplified = to_simplified(han_text)
    if simplified == han_text:  # most articles: nothing changes, no need to count (the count is per char)
        return "zh-Hans"
    if len(simplified) == len(han_text):
        changed = sum(map(ne, han_text, simplified))
    else:  # a phrase rule changed the length: fall back to comparing character sets
        changed = len(set(han_text) - set(simplified))
    threshold = max(1, _TRADITIONAL_SHARE * han)
    return "zh-Hant" if changed >= threshold else "zh-Hans"
