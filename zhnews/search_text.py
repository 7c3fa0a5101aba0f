"""Chinese search text: one normalisation, one tokenizer, shared by the index, the query rewrite and snippets.

SQLite's built-in tokenizers cannot search Chinese (unicode61 keeps a run of Han characters as ONE token,
trigram needs 3+ characters) and a custom tokenizer would make the database unreadable for other clients
(see ../shared/docs/chinese-search.md). So the index gets a *search-only* text in which every Han character
is its own token, and every user query is rewritten into FTS5 phrases of single characters
(台湾海峡 -> "台 湾 海 峡"): a phrase of consecutive unigrams is exact substring search.

Both sides go through the same `normalise` (so 臺灣 finds 台湾, ２０２４ finds 2024, FINER finds finer) and
the same `tokens` (so what the query asks for is exactly what the index holds). Decisions, measured on the
real corpus (numbers in zhnews/search_index.py):

- Letter/digit runs are split (2024A -> 2024 a) so 2024 finds 2024A and MH370 is found by 370: the same
  substring semantics as Chinese.
- Punctuation is a *boundary token* ``|`` (declared in ``tokenchars``): unicode61 would otherwise drop
  punctuation and "中 国" would match 中、国. Whitespace between two Han characters, and line breaks, are
  boundaries too. Connectors inside a Latin/number word (COVID-19, 3.5, U.S., Finer's) are not, and name
  dots (迈克·蓬佩奥) vanish, so 迈克蓬佩奥 finds 迈克·蓬佩奥.
- Substring search is inherent: 南海 matches inside 中南海 (and 370 inside MH370).
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from zhnews.text import HAN, to_simplified

BOUNDARY = "|"  # the token that stands for punctuation; never produced from a word
# Letters for Python (Unicode 14) that SQLite's unicode61 (Unicode 6.1 tables) calls separators: New Tai Lue
# vowels and two Vedic signs. Found by scanning every code point; without them such a token would vanish
# and empty its phrase. Code points SQLite does not classify at all (Han extensions E-H) are token chars.
_SQLITE_MISSED_LETTERS = "".join(map(chr, [*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3]))
# The FTS5 tokenizer the segmented text is made for; `tokenchars` keeps the boundary token.
FTS5_TOKENIZE = f"unicode61 remove_diacritics 2 tokenchars '{BOUNDARY}{_SQLITE_MISSED_LETTERS}'"
# A valid FTS5 expression that matches nothing: segment() splits letters from digits, so no indexed token
# ever mixes them.
MATCH_NOTHING = '"zhnews0nomatch"'
MAX_TERMS = 64  # a longer query is cut: bounded work per request, still far more than anyone types

# Name dots join, they do not separate: 迈克·蓬佩奥 == 迈克蓬佩奥.
_NAME_DOTS = "\u00b7\u2027\u2022\u30fb\u2219\u22c5"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _fold_char(c: str) -> str:
    """What one character becomes in the search text (NFKC, case-folded, Latin diacritics removed)."""
    if c in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(c)
    if c in _NAME_DOTS or category in ("Cf", "Cs"):  # ZWSP, BOM, soft hyphen...; lone surrogates
        return ""
    if category == "Cc":
        return " "
    if category == "Mn" and unicodedata.combining(c) == 0:  # variation selectors and similar
        return ""
    folded = unicodedata.normalize("NFKC", c).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    # Diacritics only for the scripts unicode61 strips them from (Latin, Greek, Cyrillic): café == cafe.
    if all(ord(x) < 0x0530 or 0x0300 <= ord(x) < 0x0370 for x in decomposed):
        folded = unicodedata.normalize("NFC", "".join(x for x in decomposed if not unicodedata.combining(x)))
    return folded


class _FoldTable(dict[int, str]):
    """str.translate table filled on first sight of each character: all of Unicode is too big to build."""

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        if len(value) != 1:
            _RESIZED.add(chr(code))
        return value


_FOLD = _FoldTable()
_RESIZED: set[str] = set()  # characters seen so far whose fold is not exactly one character (… -> ...)


def normalise(text: str) -> str:
    """The comparable form of any text: NFKC (full-width -> ASCII), Traditional -> Simplified, case-folded.

    Works character by character (each original character yields zero or more normalised ones), which is what
    lets `snippet` map hits back onto the original text. Also drops invisible format characters and name dots,
    strips Latin diacritics and turns every kind of line break into "\\n".
    """
    return to_simplified(text.translate(_FOLD))


def _normalise_mapped(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, the index of the original character it came from."""
    pieces = [_FOLD[ord(c)] for c in text]
    folded = "".join(pieces)
    simplified = to_simplified(folded)
    if len(simplified) != len(folded):  # t2s changed a length (not seen in practice): convert piecewise
        pieces = [to_simplified(p) for p in pieces]
        simplified = "".join(pieces)
    origin = [i for i, piece in enumerate(pieces) for _ in piece]
    return simplified, origin


_TOKEN_RE = re.compile(
    rf"(?P<han>[{HAN}]+)"  # a run of Han characters: each one is a token
    r"|(?P<num>\d+)"
    rf"|(?P<word>(?:(?![{HAN}])[^\W\d_])+)"  # a run of letters of any other script
    rf"|(?<=[^\W_])(?<![{HAN}])[-.'’/&+_](?=[^\W_])(?![{HAN}])"  # a connector inside a word: no boundary
    r"|(?P<gap>[^\S\n]*(?:[^\w\s]|_|\n)[\W_]*)"  # punctuation or a line break, with what surrounds it
    rf"|(?P<hanspace>(?<=[{HAN}])\s+(?=[{HAN}]))"  # a space between Han characters separates too
    r"|\s+"
)


def tokens(normalised: str) -> Iterator[tuple[str, int, int]]:
    """The tokens of normalised text with their spans: Han characters, numbers, words and BOUNDARY.

    Boundaries are collapsed and never lead or trail. This is THE tokenizer: queries are built from it,
    snippets find hits with it, and `segment` (the same loop without spans, for speed) equals its tokens
    joined by spaces (a property test holds them together).
    """
    return _tokens_between(normalised, 0, len(normalised))


def _tokens_between(normalised: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """`tokens` of normalised[start:end], spans relative to the whole string. Started AT a line break and
    ended before one, it yields exactly the whole text's tokens there (a line break is always in a boundary
    and never inside a token), minus the leading boundary."""
    pending: tuple[int, int] | None = None  # a boundary is only emitted when a token follows it
    seen_token = False
    for m in _TOKEN_RE.finditer(normalised, start, end):
        kind = m.lastgroup
        if kind is None:
            continue
        if kind in ("gap", "hanspace"):
            if seen_token:
                pending = m.span()
            continue
        if pending is not None:
            yield BOUNDARY, pending[0], pending[1]
            pending = None
        seen_token = True
        if kind == "han":
            start = m.start()
            for i, char in enumerate(m.group()):
                yield char, start + i, start + i + 1
        else:
            yield m.group(), m.start(), m.end()


def segment(text: str) -> str:
    """The search-only text the FTS index stores: normalised tokens separated by spaces.

    `segment("臺灣海峽，2024A")` == "台 湾 海 峡 | 2024 a".
    """
    out: list[str] = []
    for m in _TOKEN_RE.finditer(normalise(text)):
        kind = m.lastgroup
        if kind == "han":
            out.append(" ".join(m.group()))
        elif kind in ("num", "word"):
            out.append(m.group())
        elif kind is not None and out and out[-1] != BOUNDARY:
            out.append(BOUNDARY)
    if out and out[-1] == BOUNDARY:
        out.pop()
    return " ".join(out)


# ---------------------------------------------------------------------------------------------- queries

Phrase = tuple[str, ...]  # tokens that must be consecutive
Alternative = tuple[Phrase, ...]  # phrases that must all occur (one user term split at punctuation)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed user query: every group must match (a group is alternatives joined by OR), no excluded may."""

    groups: tuple[tuple[Alternative, ...], ...]
    excluded: tuple[Alternative, ...]

    @property
    def phrases(self) -> list[Phrase]:
        """The phrases to highlight: every positive one."""
        return [phrase for group in self.groups for alternative in group for phrase in alternative]


_LEX_RE = re.compile(r'(?P<neg>-)?(?:"(?P<quoted>[^"]*)"?|“(?P<curly>[^”]*)”?|(?P<bare>[^\s"“]+))')


def _alternative(text: str, *, quoted: bool) -> Alternative:
    """One user term as phrases: a quoted term is one phrase (punctuation kept as BOUNDARY inside it), a bare
    term is split at punctuation (中国，美国 -> 中国 AND 美国)."""
    phrases: list[list[str]] = [[]]
    for token, _, _ in tokens(normalise(text)):
        if token == BOUNDARY and not quoted:
            phrases.append([])
        else:
            phrases[-1].append(token)
    return tuple(tuple(p) for p in phrases if p)


@lru_cache(maxsize=512)
def parse_query(user_query: str) -> Query:
    """Parse what a user typed: terms ANDed, "quoted phrases", -excluded, a OR b, NOT x, AND ignored.

    Everything else is literal text: FTS5 syntax characters (* : ^ ( ) NEAR) have no special meaning.
    """
    text = unicodedata.normalize("NFKC", str(user_query)).translate(_CONTROLS)
    groups: list[list[Alternative]] = []
    excluded: list[Alternative] = []
    negate_next = or_next = False
    for count, m in enumerate(_LEX_RE.finditer(text)):
        if count >= MAX_TERMS:
            break
        bare = m.group("bare")
        negated = bool(m.group("neg")) or negate_next
        if bare in ("AND", "OR", "NOT") and not m.group("neg"):
            negate_next = bare == "NOT"
            or_next = bare == "OR" and bool(groups)
            continue
        quoted = m.group("quoted") if m.group("quoted") is not None else m.group("curly")
        alternative = _alternative(quoted if quoted is not None else bare or "", quoted=quoted is not None)
        negate_next = False
        if not alternative:
            continue
        if negated:
            excluded.append(alternative)
        elif or_next:
            groups[-1].append(alternative)
        else:
            groups.append([alternative])
        or_next = False
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


_CONTROLS = {c: " " for c in (*range(0x20), 0x7F)}


def _phrase_sql(phrase: Phrase) -> str:
    return '"' + " ".join(phrase).replace('"', '""') + '"'


def _alternative_sql(alternative: Alternative) -> str:
    if len(alternative) == 1:
        return _phrase_sql(alternative[0])
    return "(" + " AND ".join(map(_phrase_sql, alternative)) + ")"


def fts_query(user_query: str) -> str:
    """Rewrite what a user typed into an FTS5 MATCH expression over the segmented text.

    `fts_query('台湾 -香港')` == '"台 湾" NOT "香 港"'. Never raises and never yields an FTS5 syntax error;
    a query with nothing searchable (empty, only punctuation or operators) yields MATCH_NOTHING.
    """
    try:
        query = parse_query("" if user_query is None else str(user_query))
    except Exception:  # a bug here must cost a search result, never an error page
        return MATCH_NOTHING
    if not query.groups:
        return MATCH_NOTHING
    parts = []
    for group in query.groups:
        alternatives = [_alternative_sql(a) for a in group]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    expression = " AND ".join(parts)
    if query.excluded:
        expression = f"({expression})" if len(parts) > 1 else expression
        for alternative in query.excluded:
            expression += " NOT " + _alternative_sql(alternative)
    return expression


# ---------------------------------------------------------------------------------------------- snippets

_SPACES_RE = re.compile(r"\s+")
_SENTENCE_END_RE = re.compile(r"[。！？；!?;]\s*|\n\s*")


Hit = tuple[int, int, int]  # (start, end, phrase number): a span of the ORIGINAL text
_HAN_TOKEN_RE = re.compile(rf"(?=\w)[{HAN}]")  # a Han token that can never be swallowed by punctuation
_resized_re_cache: dict[frozenset[str], re.Pattern[str]] = {}


def _origin_map(text: str) -> Callable[[int], int] | None:
    """For `normalise(text)`: a function from a normalised index to the original index it came from, or None
    when Traditional -> Simplified changed the length (then only the piecewise mapping is exact).

    Why: building a list of per-character origins costs a Python loop over the whole text; almost every
    character folds to exactly one, so only the few that do not (… -> ..., dropped ZWSP) are recorded.
    """
    resized = frozenset(_RESIZED.intersection(text)) if _RESIZED else frozenset()
    if not resized:
        return lambda j: j
    pattern = _resized_re_cache.get(resized)
    if pattern is None:
        pattern = _resized_re_cache[resized] = re.compile("[" + "".join(map(re.escape, resized)) + "]")
    starts: list[int] = []  # normalised index where each resized character's fold begins
    shifts: list[tuple[int, int]] = []  # (original position, fold length)
    delta = 0
    for m in pattern.finditer(text):
        length = len(_FOLD[ord(m.group())])
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
    folded = text.translate(_FOLD)
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
        toks = list(_tokens_between(normalised, max(line_start - 1, 0), line_end))
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
    normalised, origin = _normalise_mapped(text)
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


def _hits(text: str, phrases: list[Phrase]) -> list[Hit]:
    """(start, end, phrase number) of every phrase occurrence, as spans of the ORIGINAL text, merged."""
    if not text or not phrases:
        return []
    found = _found_fast(text, phrases)
    if found is None:
        found = _found_by_tokens(text, phrases)
    found.sort()
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
    return _render(text, _hits(text, parse_query(user_query or "").phrases), 0, len(text))


def snippet(text: str | None, user_query: str | None, size: int = 80) -> str:
    """The best window (about `size` characters) of the ORIGINAL text around the query's hits, as HTML.

    Hits are found on normalised text and mapped back, so 臺灣 is marked for the query 台湾 and vice versa.
    Everything is escaped; hits are wrapped in <mark>; "…" marks a cut end; no spaces are inserted between
    characters. The window holds the most distinct query terms (then the most hits); without hits it is
    the start of the text.
    """
    if not text:
        return ""
    size = max(int(size), 10)
    hits = _hits(text, parse_query(user_query or "").phrases)
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
