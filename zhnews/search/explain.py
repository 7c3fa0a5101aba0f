"""What a search did beyond what was typed, for the reader: "也搜索了：川普、Trump · 只搜索「特朗普」".

Vocabulary variants (zhnews.search.variants) widen a query silently; the page says which forms were also
searched for each term and offers the exact search: the same query with that term in quotes (a quoted term
is never expanded). Pages call `also_searched` with the request's query string and the name of the
parameter holding the query (`q` for the ranked search, `_search` for the table).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from zhnews.search.text import query_text, terms


@dataclass(frozen=True, slots=True)
class AlsoSearched:
    term: str  # as typed
    also: tuple[str, ...]  # the other forms searched (display forms: 川普政府, Trump政府)
    excluded: bool  # a -term: these forms were excluded too
    exact_query: str  # the whole query with this term quoted: searches only what was typed
    exact_href: str  # "?" + the request's query string with the query replaced by exact_query


def _with(query_string: str, param: str, value: str) -> str:
    """The query string with `param` set to value (first occurrence replaced, order kept), as "?…"."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if not any(key == param for key, _ in pairs):
        pairs.append((param, value))
    seen = False
    out = []
    for key, old in pairs:
        if key == param:
            if seen:
                continue
            seen, old = True, value
        out.append((key, old))
    return "?" + urlencode(out)


def also_searched(user_query: str, query_string: str = "", param: str = "q") -> list[AlsoSearched]:
    """For each term of the query that vocabulary variants widened: the forms also searched and the link
    that searches the term exactly. Terms that were not widened (quoted ones included) are left out."""
    text = query_text(user_query or "")
    found = []
    for term in terms(text):
        shown = [form for forms in term.shown for form in forms[1:]]
        if not shown:
            continue
        minus = "-" if text[term.start] == "-" else ""  # `NOT x` keeps its NOT, `-x` its minus
        exact = text[: term.start] + minus + f'"{term.text}"' + text[term.end :]
        found.append(AlsoSearched(term.text, tuple(dict.fromkeys(shown)), term.excluded, exact,
                                  _with(query_string, param, exact)))
    return found
