"""Chinese search text: one normalisation, one tokenizer, shared by the index, the query rewrite and snippets.

SQLite's built-in tokenizers cannot search Chinese (unicode61 keeps a run of Han characters as ONE token,
trigram needs 3+ characters) and a custom tokenizer would make the database unreadable for other clients
(see ../shared/docs/chinese-search.md). So the index gets a *search-only* text in which every Han character
is its own token, and every user query is rewritten into FTS5 phrases of single characters
(台湾海峡 -> "台 湾 海 峡"): a phrase of consecutive unigrams is exact substring search.

Both sides go through the same `normalise` (so 臺灣 finds 台湾, ２０２４ finds 2024, FINER finds finer) and
the same `tokens` (so what the query asks for is exactly what the index holds; search/snippets.py shows the
hits on the original text). Decisions, measured on the real corpus (numbers in zhnews/search/index.py):

- Letter/digit runs are split (2024A -> 2024 a) so 2024 finds 2024A and MH370 is found by 370: the same
  substring semantics as Chinese.
- Punctuation is a *boundary token* ``|`` (declared in ``tokenchars``): unicode61 would otherwise drop
  punctuation and "中 国" would match 中、国. Whitespace between two Han characters, and line breaks, are
  boundaries too. Connectors inside a Latin/number word (COVID-19, 3.5, U.S., Finer's) are not, and name
  dots (迈克·蓬佩奥) vanish, so 迈克蓬佩奥 finds 迈克·蓬佩奥.
- Substring search is inherent: 南海 matches inside 中南海 (and 370 inside MH370).
- Vocabulary variants (特朗普 = 川普 = Trump, zhnews.search.variants) are added at QUERY time: each typed
  phrase also searches its variants (an OR); a quoted phrase does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from zhnews.search.variants import DATA_FILES, VariantTable, read_rules
from zhnews.search.variants import display_of as _joined
from zhnews.text import HAN, HAN_RE, to_simplified

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
# Vocabulary variants stop being added once a query searches this many phrases (each term may bring up to
# zhnews.search.variants.MAX_ALTERNATIVES): a pasted paragraph must not cost 16 times a typed one.
MAX_PHRASES = 4 * MAX_TERMS

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
            RESIZED.add(chr(code))
        return value


FOLD = _FoldTable()
RESIZED: set[str] = set()  # characters seen so far whose fold is not exactly one character (… -> ...)


def normalise(text: str) -> str:
    """The comparable form of any text: NFKC (full-width -> ASCII), Traditional -> Simplified, case-folded.

    Works character by character (each original character yields zero or more normalised ones), which is what
    lets `snippet` map hits back onto the original text. Also drops invisible format characters and name dots,
    strips Latin diacritics and turns every kind of line break into "\\n".
    """
    return to_simplified(text.translate(FOLD))


def normalise_mapped(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, the index of the original character it came from."""
    pieces = [FOLD[ord(c)] for c in text]
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
    return tokens_between(normalised, 0, len(normalised))


def tokens_between(normalised: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
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
Variants = tuple[Phrase, ...]  # phrases any one of which stands for a typed phrase (the typed one first)
Alternative = tuple[Variants, ...]  # all must occur: one user term, split at punctuation
Shown = tuple[tuple[str, ...], ...]  # how each phrase of an Alternative, and each of its variants, reads


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed user query: every group must match (a group is alternatives joined by OR), no excluded may.

    Each typed phrase comes with its vocabulary variants (zhnews.search.variants): `特朗普` is
    `("特朗普", "川普", "trump")` as token tuples; a quoted term has none.
    """

    groups: tuple[tuple[Alternative, ...], ...]
    excluded: tuple[Alternative, ...]

    @property
    def phrases(self) -> list[Phrase]:
        """The phrases to highlight: every positive one, variants included."""
        return [phrase for phrase, _ in self.numbered_phrases]

    @property
    def numbered_phrases(self) -> list[tuple[Phrase, int]]:
        """Every positive phrase with the number of the typed phrase it stands for (its variants share it)."""
        typed = (variants for group in self.groups for alternative in group for variants in alternative)
        return [(phrase, number) for number, variants in enumerate(typed) for phrase in variants]


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a user query as the lexer met it, with what it searches."""

    text: str  # as typed, without quotes or the leading minus
    start: int  # its span in the query (NFKC-normalised, see `query_text`), quotes and minus included
    end: int
    quoted: bool
    excluded: bool
    joins_previous: bool  # `a OR b`: b is another alternative of a's group
    alternative: Alternative
    shown: Shown  # how each phrase of `alternative` and each of its variants reads


_LEX_RE = re.compile(r'(?P<neg>-)?(?:"(?P<quoted>[^"]*)"?|“(?P<curly>[^”]*)”?|(?P<bare>[^\s"“]+))')


@lru_cache(maxsize=1)
def variant_table() -> VariantTable:
    """The variant groups of zhnews/search/variant_data/, normalised like the index: read once per process.

    Why the index fingerprint (zhnews.search.index) does not include them: variants expand QUERIES; the
    index holds the articles' own words, so changing the data needs no rebuild.
    """
    return VariantTable(read_rules(DATA_FILES), to_phrase=phrase_of, is_han=is_han_token)


def is_han_token(token: str) -> bool:
    """True for a token that is one Han character (Han tokens are written without spaces between them)."""
    return HAN_RE.fullmatch(token) is not None


def phrase_of(text: str) -> Phrase:
    """Text as one phrase, as a quoted query term is searched (punctuation kept as BOUNDARY)."""
    return tuple(token for token, _, _ in tokens(normalise(text)))


def _alternative(text: str, *, quoted: bool, expand: bool) -> tuple[Alternative, Shown]:
    """One user term as phrases, and how they read: a quoted term is one phrase (punctuation kept as
    BOUNDARY inside it), a bare term is split at punctuation (中国，美国 -> 中国 AND 美国) and each part
    gets its variants (zhnews.search.variants)."""
    phrases: list[list[str]] = [[]]
    for token, _, _ in tokens(normalise(text)):
        if token == BOUNDARY and not quoted:
            phrases.append([])
        else:
            phrases[-1].append(token)
    typed = [tuple(p) for p in phrases if p]
    if quoted or not expand:
        return tuple((p,) for p in typed), tuple((display_of(p),) for p in typed)
    expanded = [variant_table().expand(p) for p in typed]
    return (tuple(tuple(a.phrase for a in e) for e in expanded),
            tuple(tuple(a.display for a in e) for e in expanded))


def display_of(phrase: Phrase) -> str:
    """A phrase as a reader writes it: Han characters side by side, words and numbers apart."""
    return _joined(phrase, is_han_token)


def query_text(user_query: str) -> str:
    """The query as the lexer reads it: NFKC (full-width quotes, minus become ASCII), controls as spaces."""
    return unicodedata.normalize("NFKC", str(user_query)).translate(_CONTROLS)


def terms(user_query: str, *, expand: bool = True) -> list[Term]:
    """The searchable terms of a user query, in order: terms ANDed, "quoted phrases", -excluded, a OR b,
    NOT x, AND ignored. Terms with nothing searchable (only punctuation) are left out."""
    text = query_text(user_query)
    found: list[Term] = []
    negate_next = or_next = False
    phrases = 0
    for count, m in enumerate(_LEX_RE.finditer(text)):
        if count >= MAX_TERMS:
            break
        bare = m.group("bare")
        negated = bool(m.group("neg")) or negate_next
        if bare in ("AND", "OR", "NOT") and not m.group("neg"):
            negate_next = bare == "NOT"
            or_next = bare == "OR" and any(not t.excluded for t in found)
            continue
        quoted = m.group("quoted") if m.group("quoted") is not None else m.group("curly")
        typed = quoted if quoted is not None else bare or ""
        more = expand and phrases < MAX_PHRASES
        alternative, shown = _alternative(typed, quoted=quoted is not None, expand=more)
        phrases += sum(map(len, alternative))
        negate_next = False
        if alternative:
            found.append(Term(typed, m.start(), m.end(), quoted is not None, negated,
                              or_next and not negated, alternative, shown))
        or_next = False
    return found


@lru_cache(maxsize=512)
def parse_query(user_query: str, *, expand: bool = True) -> Query:
    """Parse what a user typed (see `terms`); `expand=False` leaves out the vocabulary variants.

    Everything else is literal text: FTS5 syntax characters (* : ^ ( ) NEAR) have no special meaning.
    """
    groups: list[list[Alternative]] = []
    excluded: list[Alternative] = []
    for term in terms(user_query, expand=expand):
        if term.excluded:
            excluded.append(term.alternative)
        elif term.joins_previous:
            groups[-1].append(term.alternative)
        else:
            groups.append([term.alternative])
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


_CONTROLS = {c: " " for c in (*range(0x20), 0x7F)}


def _phrase_sql(phrase: Phrase) -> str:
    return '"' + " ".join(phrase).replace('"', '""') + '"'


def _contains(longer: Phrase, shorter: Phrase) -> bool:
    n = len(shorter)
    return len(longer) > n and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _variants_sql(variants: Variants) -> str:
    """The OR of the variants, without those containing another one (国际货币基金组织 OR 国际货币基金 finds
    what 国际货币基金 alone finds: each phrase left out is a document list FTS5 need not read)."""
    needed = [v for v in variants if not any(_contains(v, other) for other in variants)]
    if len(needed) == 1:
        return _phrase_sql(needed[0])
    return "(" + " OR ".join(map(_phrase_sql, needed)) + ")"


def _alternative_sql(alternative: Alternative) -> str:
    if len(alternative) == 1:
        return _variants_sql(alternative[0])
    return "(" + " AND ".join(map(_variants_sql, alternative)) + ")"


def fts_query(user_query: str, *, expand: bool = True) -> str:
    """Rewrite what a user typed into an FTS5 MATCH expression over the segmented text.

    `fts_query('台湾 -香港')` == '"台 湾" NOT "香 港"'. A term with vocabulary variants becomes their OR
    (`fts_query('雪梨')` == '("雪 梨" OR "悉 尼" OR "sydney")'), an excluded one excludes them all;
    `expand=False` searches exactly what was typed. Never raises and never yields an FTS5 syntax error; a
    query with nothing searchable (empty, only punctuation or operators) yields MATCH_NOTHING.
    """
    try:
        query = parse_query("" if user_query is None else str(user_query), expand=expand)
    except Exception:  # a bug here must cost a search result, never an error page
        return MATCH_NOTHING
    return match_expression(query)


def match_expression(query: Query) -> str:
    """A parsed query as an FTS5 MATCH expression (MATCH_NOTHING when it has no positive term)."""
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
