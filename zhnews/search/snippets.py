"""Search snippets and highlights: the hits of a user's query shown on the ORIGINAL text, HTML-escaped.

Why here and not in SQL: the index is contentless (zhnews.search.index), so FTS5's snippet() has no text to
cut; and the original text is what readers should see (臺灣 stays 臺灣 even when 台湾 was searched). Hits
are found on the normalised text (zhnews.search.text, the same normalisation as the index) and mapped back.
Snippets run once per search result, so the common case searches with str.find and tokenises only the lines
that need it; full tokenisation stays as the reference (tests/test_snippet_shortcut.py holds them equal).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable

from zhnews.search.text import (
    BOUNDARY,
    FOLD,
    RESIZED,
    Phrase,
    normalise_mapped,
    parse_query,
    tokens,
    tokens_between,
)
from zhnews.text import HAN, to_simplified

_SPACES_RE = re.compile(r"\s+")
_SENTENCE_END_RE = re.compile(r"[。！？；!?;]\s*|\n\s*")


Hit = tuple[int, int, int]  # (start, end, number): a span of the ORIGINAL text; which phrase or term
_HAN_TOKEN_RE = re.compile(rf"(?=\w)[{HAN}]")  # a Han token that can never be swallowed by punctuation
_resized_re_cache: dict[frozenset[str], re.Pattern[str]] = {}


def _origin_map(text: str) -> Callable[[int], int] | None:
    """For `normalise(text)`: a function from a normalised index to the original index it came from, or None
    when Traditional -> Simplified changed the length (then only the piecewise mapping is exact).

    Why: building a list of per-character origins costs a Python loop over the whole text; almost every
    character folds to exactly one, so only the few that do not (… -> ..., dropped ZWSP) are recorded.
    """
    resized = frozenset(RESIZED.intersection(text)) if RESIZED else frozenset()
    if not resized:
        return lambda j: j
    pattern = _resized_re_cache.get(resized)
    if pattern is None:
        pattern = _resized_re_cache[resized] = re.compile("[" + "".join(map(re.escape, resized)) + "]")
    starts: list[int] = []  # normalised index where each resized character's fold begins
    shifts: list[tuple[int, int]] = []  # (original position, fold length)
    delta = 0
    for m in pattern.finditer(text):
        length = len(FOLD[ord(m.group())])
        starts.append(m.start() + delta)
        shifts.append((m.start(), length))
        delta += length - 1

    def origin(j: int) -> int:
        k = bisect_right(starts, j) - 1
        if k < 0:
            return j
        position, length = shifts[k]
        return position if j < starts[k] + length else position + 1 + (j - starts[k] - length)

    return origin


def _found_fast(text: str, phrases: list[Phrase]) -> list[Hit] | None:
    """Every phrase occurrence without tokenising the whole text, or None when this shortcut does not apply.

    A phrase of Han characters occurs exactly where its characters stand side by side in the normalised text
    (each Han character is a token; anything between two would be a token or a boundary), so `str.find`
    finds it. Other phrases (words, numbers) are checked by the tokenizer on the lines that contain their
    longest token only: a phrase without a boundary never spans a line break.
    """
    if any(BOUNDARY in phrase for phrase in phrases):
        return None
    folded = text.translate(FOLD)
    normalised = to_simplified(folded)
    if len(normalised) != len(folded):
        return None
    origin = _origin_map(text)
    if origin is None:
        return None
    found: list[Hit] = []
    lines: set[tuple[int, int]] = set()
    others: list[tuple[int, Phrase]] = []
    for number, phrase in enumerate(phrases):
        if all(_HAN_TOKEN_RE.fullmatch(token) for token in phrase):
            needle = "".join(phrase)
            i = normalised.find(needle)
            while i >= 0:
                found.append((origin(i), origin(i + len(needle) - 1) + 1, number))
                i = normalised.find(needle, i + 1)
            continue
        others.append((number, phrase))
        anchor = max(phrase, key=len)
        i = normalised.find(anchor)
        while i >= 0:
            line_start = normalised.rfind("\n", 0, i) + 1
            line_end = normalised.find("\n", i)
            line_end = len(normalised) if line_end < 0 else line_end
            lines.add((line_start, line_end))
            i = normalised.find(anchor, line_end)
    first = {phrase[0] for _, phrase in others}
    for line_start, line_end in lines:
        # from the line break itself: it opens the same punctuation run as in the whole text, which may
        # swallow characters a scan starting after it would read as tokens (unassigned Han code points)
        toks = list(tokens_between(normalised, max(line_start - 1, 0), line_end))
        words = [t[0] for t in toks]
        for i, word in enumerate(words):
            if word not in first:
                continue
            for number, phrase in others:
                n = len(phrase)
                if phrase[0] == word and tuple(words[i : i + n]) == phrase:
                    found.append((origin(toks[i][1]), origin(toks[i + n - 1][2] - 1) + 1, number))
    return found


def _found_by_tokens(text: str, phrases: list[Phrase]) -> list[Hit]:
    """Every phrase occurrence by tokenising the whole text: exact in every case, 1-3 ms for an article."""
    normalised, origin = normalise_mapped(text)
    toks = list(tokens(normalised))
    words = [t[0] for t in toks]
    first = {p[0] for p in phrases}
    found: list[Hit] = []
    for i, word in enumerate(words):
        if word not in first:
            continue
        for number, phrase in enumerate(phrases):
            n = len(phrase)
            if phrase[0] == word and tuple(words[i : i + n]) == phrase:
                start, end = toks[i][1], toks[i + n - 1][2]
                found.append((origin[start], origin[end - 1] + 1, number))
    return found


def _hits(text: str, numbered: list[tuple[Phrase, int]]) -> list[Hit]:
    """(start, end, term number) of every phrase occurrence, as spans of the ORIGINAL text, merged.

    `numbered` pairs each phrase with the typed phrase it stands for (Query.numbered_phrases): a variant
    (川普 for 特朗普) counts as the same term when the snippet window looks for the most distinct terms.
    """
    if not text or not numbered:
        return []
    phrases = [phrase for phrase, _ in numbered]
    found = _found_fast(text, phrases)
    if found is None:
        found = _found_by_tokens(text, phrases)
    found = sorted((start, end, numbered[i][1]) for start, end, i in found)
    merged: list[Hit] = []
    for start, end, number in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, number))
    return merged


def _best_window(hits: list[Hit], size: int) -> list[Hit]:
    """The run of hits fitting in `size` characters with the most distinct phrases, then the most hits (the
    first such run). Merged hits are ordered and disjoint, so each run is a slice: one pass, two pointers."""
    best, chosen = (-1, -1), hits[:1]
    numbers: Counter[int] = Counter()
    j = 0
    for i, (first_start, _, _) in enumerate(hits):
        j = max(j, i)
        while j < len(hits) and hits[j][1] <= first_start + size:
            numbers[hits[j][2]] += 1
            j += 1
        inside = hits[i:j] or [hits[i]]
        score = (len(+numbers), j - i) if j > i else (1, 1)
        if score > best:
            best, chosen = score, inside
        if j > i:
            numbers[hits[i][2]] -= 1
    return chosen


def _render(text: str, hits: list[tuple[int, int, int]], start: int, end: int) -> str:
    """Escaped HTML of text[start:end] with the hits inside it wrapped in <mark>, whitespace collapsed."""
    out: list[str] = []
    position = start
    for hit_start, hit_end, _ in hits:
        if hit_start < start or hit_end > end:
            continue
        out.append(html.escape(text[position:hit_start]))
        out.append("<mark>" + html.escape(text[hit_start:hit_end]) + "</mark>")
        position = hit_end
    out.append(html.escape(text[position:end]))
    return _SPACES_RE.sub(" ", "".join(out)).strip()


def _word_at(text: str, i: int) -> bool:
    """True when position i cuts a Latin word or a number in two."""
    return 0 < i < len(text) and text[i - 1].isascii() and text[i - 1].isalnum() and text[i].isalnum()


def highlight(text: str | None, user_query: str | None) -> str:
    """The whole text as escaped HTML with every hit of the query in <mark>."""
    if not text:
        return ""
    return _render(text, _hits(text, parse_query(user_query or "").numbered_phrases), 0, len(text))


def snippet(text: str | None, user_query: str | None, size: int = 80) -> str:
    """The best window (about `size` characters) of the ORIGINAL text around the query's hits, as HTML.

    Hits are found on normalised text and mapped back, so 臺灣 is marked for the query 台湾 and vice versa;
    every vocabulary variant of a term is marked (川普 in an article found by 特朗普).
    Everything is escaped; hits are wrapped in <mark>; "…" marks a cut end; no spaces are inserted between
    characters. The window holds the most distinct query terms (then the most hits); without hits it is
    the start of the text.
    """
    if not text:
        return ""
    size = max(int(size), 10)
    hits = _hits(text, parse_query(user_query or "").numbered_phrases)
    start, end = 0, min(len(text), size)
    if hits:
        chosen = _best_window(hits, size)
        first_start, last_end = chosen[0][0], chosen[-1][1]
        free = max(size - (last_end - first_start), 0)
        start = max(0, first_start - free // 3)
        ends = list(_SENTENCE_END_RE.finditer(text, max(0, first_start - free // 2), first_start))
        if ends:  # begin with the hit's sentence when it starts close enough
            start = ends[-1].end()
        end = min(len(text), max(start + size, last_end))
        start = max(0, min(start, end - size))
        for _ in range(15):  # do not cut an English word or a number in two
            if not _word_at(text, start) or start >= first_start:
                break
            start += 1
        for _ in range(15):
            if not _word_at(text, end) or end <= last_end:
                break
            end -= 1
    body = _render(text, hits, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
