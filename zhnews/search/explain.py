"""What a search did beyond what was typed, for the reader: "也搜索了：川普、Trump · 只搜索「特朗普」".

Vocabulary variants (zhnews.search.variants) widen a query silently; a page says which forms were also
searched for each term and offers the exact search: the same query with that term in quotes (a quoted term
is never expanded). `also_searched(query, href)` gives both; `href` turns a query into the page's URL for it
(the search page: its SearchRequest.url; a page driven by one query-string parameter: `replacing`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from zhnews.search.text import query_text, terms


@dataclass(frozen=True, slots=True)
class AlsoSearched:
    term: str  # as typed
    also: tuple[str, ...]  # the other forms searched (display forms: 川普政府, Trump政府)
    excluded: bool  # a -term: these forms were excluded too
    exact_query: str  # the whole query with this term quoted: searches only what was typed
    exact_href: str  # the page's URL for exact_query ("" without an href function)


def also_searched(user_query: str, href: Callable[[str], str] | None = None) -> list[AlsoSearched]:
    """For each term of the query that vocabulary variants widened: the forms also searched and the query
    (and link) that searches the term exactly. Terms that were not widened (quoted ones) are left out."""
    text = query_text(user_query or "")
    found = []
    for term in terms(text):
        shown = [form for forms in term.shown for form in forms[1:]]
        if not shown:
            continue
        minus = "-" if text[term.start] == "-" else ""  # `NOT x` keeps its NOT, `-x` its minus
        exact = text[: term.start] + minus + f'"{term.text}"' + text[term.end :]
        found.append(AlsoSearched(term.text, tuple(dict.fromkeys(shown)), term.excluded, exact,
                                  href(exact) if href else ""))
    return found


def replacing(query_string: str, param: str) -> Callable[[str], str]:
    """An href function for a page whose query is one parameter: the same query string ("?…") with that
    parameter set to the new query (its first occurrence; any repeat dropped; other parameters kept)."""
    pairs = parse_qsl(query_string, keep_blank_values=True)

    def href(query: str) -> str:
        out, seen = [], False
        for key, value in pairs:
            if key == param:
                if seen:
                    continue
                seen, value = True, query
            out.append((key, value))
        return "?" + urlencode(out if seen else [*out, (param, query)])

    return href
