"""parse(bytes, source) -> Article: the one entry point from an archive file to a clean record.

Order: envelope (bytes -> header + HTML), outlet, canonical URL, title (titles); the HTML is parsed ONCE
(soup: what BeautifulSoup(html, "lxml") builds, leaner); meta.extract() takes the date line / byline nodes
out of the soup, then the body extractor reads what is left; dates resolves `published` from all the
evidence seen. Only
ParseError leaves this function: any other exception from a library on hostile input is converted, so
one bad file can never stop a build.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from zhnews.article import Article, ParseError
from zhnews.extract import dates, envelope, meta
from zhnews.extract.body import extract_body
from zhnews.extract.bylines import column_author, front_matter_byline
from zhnews.extract.language import language_and_count
from zhnews.extract.lines import join_cjk_line_breaks
from zhnews.extract.outlets import outlet_code
from zhnews.extract.sections import section_from_url
from zhnews.extract.soup import make_soup
from zhnews.extract.titles import clean_title
from zhnews.extract.urls import canonical_url
from zhnews.text import HAN_RE, clean_line

# Bounded work per file. The largest of the 2,618 real files is 89 KB with ~1,500 tags; the bounds are far
# above any real article, and keep a hostile file to ~1 s and ~100 MB of parsing (a million <p> took 47 s
# and ~1.9 GB before).
MAX_FILE_BYTES = 20_000_000  # read no more of a file (the build checks it before reading: outcome.py)
MAX_TAGS = 50_000  # `<` in the HTML: an upper bound of its elements, counted before parsing


def _folders(source: str) -> list[str]:
    """Folder names of the source path (outer to inner): evidence for the outlet after the URL host."""
    return list(PurePosixPath(source.replace("\\", "/")).parts[:-1])


def _first_date_text(front_matter: dict[str, Any]) -> str:
    value = front_matter.get("date")
    return value if isinstance(value, str) else ""


def _parse(data: bytes, source: str) -> Article:
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"file too large ({len(data)} bytes)")
    env = envelope.split(data)
    if (tags := env.html.count("<")) > MAX_TAGS:
        raise ParseError(f"HTML too large: {tags:,} tags (the limit is {MAX_TAGS:,}; real articles have a "
                         "few thousand)")
    try:
        url = canonical_url(env.url_raw)
    except ValueError as exc:
        raise ParseError(f"not an http(s) article URL: {env.url_raw[:80]!r} ({exc})") from None
    outlet = outlet_code(url, _folders(source), env.front_matter)
    title, label = clean_title(env.title_raw, outlet, url)
    if not title:
        raise ParseError("empty title")
    if not env.html.strip():
        raise ParseError("empty body: no HTML after the header")

    soup = make_soup(env.html)
    if "\n" in env.html:  # pretty-printed HTML (the archive writes its HTML on one line)
        join_cjk_line_breaks(soup)
    header = meta.extract(soup, outlet=outlet, url=url, html=env.html)
    body = extract_body(soup, outlet=outlet, url=url, title=title)
    paragraphs = [p for p in body.paragraphs if p]
    # A photo post's captioned pictures are its content; a picture alone is a file cut short, as often.
    if not body.lead and not paragraphs and not any(image["caption"] for image in body.images):
        if clean_line(soup.get_text(" ")) == title:
            raise ParseError("empty body: the HTML only repeats the title")
        raise ParseError("empty body: no article text in the HTML")

    fed_at = dates.from_stamp(env.stamp_ms)
    fm_text = _first_date_text(env.front_matter)
    front_matter = dates.evidence(fm_text, "front_matter") if fm_text else None
    date_line = dates.evidence(env.date_text, "date_line_text") if env.date_text else None
    opening = body.lead or (paragraphs[0] if paragraphs else "")
    in_text = dates.text_dateline(opening, fed_at or (front_matter.when if front_matter else None))
    in_url = dates.url_evidence(url)
    chosen = dates.resolve(header.dates, fed_at, front_matter, date_line, in_url, text_dateline=in_text)
    fed = dates.Evidence(fed_at, "fed_at") if fed_at else None
    seen = [*header.dates, *header.set_aside, fed, front_matter, date_line, in_text, in_url]
    dateline_ev = next((e for e in header.dates if e.source == "dateline"), None) or (
        header.dates[0] if header.dates else None
    )
    text = "\n".join([body.lead, *paragraphs])
    language, count = language_and_count(title, text)
    return Article(
        url=url,
        title=title,
        title_raw=env.title_raw,
        outlet=outlet,
        published=dates.iso_utc(chosen.when) if chosen else None,
        published_from=dates.explain(chosen, seen) if chosen else None,
        fed_at=dates.iso_utc(fed_at) if fed_at and dates.plausible(fed_at) else None,
        dateline=header.dateline,
        published_local=dates.local_iso(dateline_ev) if dateline_ev else None,
        author=header.author or front_matter_byline(env.front_matter) or column_author(body.lead),
        section=section_from_url(url, translate=HAN_RE.search(title) is not None) or label,
        lead=body.lead,
        paragraphs=paragraphs,
        body_html=body.body_html,
        images=list(body.images),
        image_url=body.image_url,
        language=language,
        char_count=count,
        warnings=list(env.warnings),
    )


def parse(data: bytes, source: str = "") -> Article:
    """One archive file -> Article. Raises ParseError (with a readable reason), and nothing else."""
    try:
        return _parse(data, source)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("HTML nested too deeply to parse") from None
    except Exception as exc:
        raise ParseError(f"unexpected {type(exc).__name__} while parsing: {exc}"[:300]) from exc
