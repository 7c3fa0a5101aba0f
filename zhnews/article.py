"""The article record: the public contract between the parser, the database and its users' exports.

Field names here become column names in `articles` and keys in every JSON/CSV export, so they change
only with a migration note in the README.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict


class ParseError(Exception):
    """A file that cannot yield an article. The message is the human-readable reason."""


class Image(TypedDict):
    src: str  # absolute https URL
    caption: str  # caption, else alt text, else ""


@dataclass(slots=True)
class Article:
    url: str  # canonical: https, normalised path and percent-encoding, no fragment, no utm_*
    title: str  # whitespace-normalised, outlet boilerplate suffix removed
    title_raw: str  # as written in the file
    outlet: str  # short stable code: rfi, dw, voa, bbc, nyt, ... (or one derived from an unknown host)
    published: str | None = None  # UTC, YYYY-MM-DDTHH:MM:SSZ
    published_from: str | None = None  # which evidence gave `published` (see zhnews.extract.dates)
    fed_at: str | None = None  # the archiver's <!--ms--> stamp, UTC ISO
    dateline: str = ""  # the outlet's own date line, as shown to readers
    published_local: str | None = None  # the date line as ISO 8601 with its UTC offset, when it parses
    author: str = ""  # a person named by the outlet; never the outlet itself
    section: str = ""  # readable section from the URL (RFI /cn/国际/ -> 国际)
    lead: str = ""  # the standfirst, not repeated in paragraphs
    paragraphs: list[str] = field(default_factory=list)  # clean text, in order, subheadings included
    body_html: str = ""  # sanitised HTML of the body (zhnews.extract.sanitise), for the reader view
    images: list[Image] = field(default_factory=list)
    image_url: str = ""  # the hero image
    language: str = ""  # zh-Hans, zh-Hant, en or other
    char_count: int = 0  # zhnews.text.char_count of lead + paragraphs
    warnings: list[str] = field(default_factory=list)  # non-fatal problems (e.g. invalid UTF-8 replaced)

    @property
    def body_text(self) -> str:
        """Paragraphs joined by a blank line: the `body_text` column."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
