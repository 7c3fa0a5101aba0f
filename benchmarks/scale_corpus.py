"""Make a synthetic archive of N article files from the real sample, for benchmarks.

Why: the real archive holds hundreds of thousands of files, the sample here only 2,618. Each real file
becomes the template of its outlet and markup variant; a synthetic file is a copy of a template with
a recombined title, the paragraphs of another article of the same outlet (15% of them swapped for others),
a new date and a distinct URL. Cycling through the templates keeps the variant mix of the real archive
exactly; a fixed seed makes the output reproducible byte for byte.

Templates are cut ONCE with the stdlib HTML tokenizer (tag positions, no regexes on HTML); generation is then
plain string joining, so 500k files take a few minutes.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

SUFFIXES = {".md", ".txt"}
MIN_PARAGRAPH_CHARS = 20  # shorter <p>s are spacers, credits, share labels: kept as the template has them
FIRST_ID = 2_000_000
EARLIEST = datetime(2019, 1, 1, tzinfo=UTC)
LATEST = datetime(2025, 10, 31, tzinfo=UTC)
SWAP_SHARE = 0.15  # share of a donor article's paragraphs replaced by others of the same outlet
SPREAD_DAYS = 540  # new dates fall within ±18 months of the template's own date: markup stays in its era
MARK = "【更新】"  # inserted/removed by mutate(): changes article text without touching markup

PARIS = ZoneInfo("Europe/Paris")
BEIJING = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Date TEXT formats the outlets use in their date lines (see the corpus README); matched on text, not markup.
DATE_FORMATS = re.compile(
    r"(?P<iso_ms_z>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"
    r"|(?P<iso_s>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?![.\d]))"
    r"|(?P<ymd_hms>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"
    r"|(?P<rfi>\d{2}/\d{2}/\d{4} - \d{2}:\d{2})"
    r"|(?P<rfc>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)"
    r"|(?P<rfc_utc>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000)"
    r"|(?P<zh_spaced>\d{4}年 \d{1,2}月 \d{1,2}日)"
    r"|(?P<zh>\d{4}年\d{1,2}月\d{1,2}日)"
)
STAMP = re.compile(r"<!--(\d{10,13})-->")


def format_date(kind: str, when: datetime) -> str:
    """Render `when` (UTC) the way the template's date line wrote its date."""
    if kind == "iso_ms_z":
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    if kind == "iso_s":
        return when.strftime("%Y-%m-%dT%H:%M:%S")
    if kind == "ymd_hms":
        return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    if kind == "rfi":
        return when.astimezone(PARIS).strftime("%d/%m/%Y - %H:%M")
    if kind in ("rfc", "rfc_utc"):
        return (
            f"{WEEKDAYS[when.weekday()]}, {when.day:02d} {MONTHS[when.month - 1]} {when.year} "
            f"{when.strftime('%H:%M:%S')} {'GMT' if kind == 'rfc' else '+0000'}"
        )
    local = when.astimezone(BEIJING)
    sep = " " if kind == "zh_spaced" else ""
    return f"{local.year}年{sep}{local.month}月{sep}{local.day}日"


@dataclass(frozen=True)
class Template:
    """One real file cut into literal text and slots to fill."""

    source: str  # path in the real corpus (for the report only)
    layout: str  # how synthetic file names are made: oped2 | code | code-commit | jekyll
    folder: str  # path of the outlet folder below the archive root, e.g. "oped2-2020/articles/法广"
    suffix: str
    host: str
    title: str
    url: str
    base_time: datetime
    pieces: tuple[tuple[str, str], ...]  # (kind, literal): kind "" = literal text, else a slot


class _ParagraphFinder(HTMLParser):
    """Finds (start, end) of the inner HTML of each <p> whose text is long enough to be article text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self._open: int | None = None
        self._chars = 0
        self._strong = False
        self.spans: list[tuple[int, int, bool]] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._open = self._offset() + len(self.get_starttag_text() or "")
            self._chars = 0
            self._strong = False
        elif tag == "strong" and self._open is not None and self._chars == 0:
            self._strong = True

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._chars += len(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._open is not None:
            if self._chars >= MIN_PARAGRAPH_CHARS:
                self.spans.append((self._open, self._offset(), self._strong))
            self._open = None


def _layout(rel: Path) -> tuple[str, str]:
    parts = rel.parts
    if parts[0].startswith("waimei"):
        return "jekyll", parts[0] + "/archived"
    folder = "/".join(parts[:-1])
    if "__" in rel.stem:
        return "code-commit", folder
    if "_" in rel.stem:
        return "oped2", folder
    return "code", folder


def cut_template(root: Path, path: Path) -> tuple[Template, list[tuple[str, bool]]] | None:
    """Cut one real file into a Template; also return its paragraphs (inner HTML, starts with <strong>)."""
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    lines = text.splitlines(keepends=True)
    header_end = next((i for i, ln in enumerate(lines) if ln.rstrip("\r\n") == "------"), None)
    if header_end is None:
        return None
    pieces: list[tuple[str, str]] = []
    title = url = ""
    base_time: datetime | None = None
    in_front_matter = bool(lines) and lines[0].rstrip("\r\n") == "---"
    for n, line in enumerate(lines[: header_end + 1]):
        body, eol = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")) :]
        stamp = STAMP.fullmatch(body)
        if in_front_matter and n > 0 and body == "---":
            in_front_matter = False
            pieces.append(("", line))
        elif in_front_matter and body.startswith(("title: ", "date: ", "from: ")):
            key, value = body.split(": ", 1)
            if key == "date" and base_time is None:
                base_time = datetime.fromisoformat(value.replace("Z", "+00:00"))
            slot = {
                "title": "fm_title_quoted" if value.startswith('"') else "fm_title",
                "date": "fm_date",
                "from": "url",
            }[key]
            pieces += [("", key + ": "), (slot, ""), ("", eol)]
        elif stamp:
            base_time = datetime.fromtimestamp(int(stamp.group(1)[:10]), UTC)
            pieces += [("stamp", ""), ("", eol)]
        elif body.startswith("[") and body.endswith(")") and "](" in body:
            title, url = body[1:-1].rsplit("](", 1)
            pieces += [("title", ""), ("url_line", ""), ("", eol)]
        else:
            pieces.append(("", line))
    html = "".join(lines[header_end + 1 :])
    finder = _ParagraphFinder(html)
    finder.feed(html)
    finder.close()
    spans = finder.spans
    # Date lines sit before the first article paragraph.
    head_limit = spans[0][0] if spans else min(len(html), 2000)
    cuts: list[tuple[int, int, str]] = [
        (m.start(), m.end(), m.lastgroup or "") for m in DATE_FORMATS.finditer(html, 0, head_limit)
    ]
    cuts += [(s, e, "para_strong" if strong else "para") for s, e, strong in spans]
    pos = 0
    for start, end, kind in sorted(cuts):
        pieces += [("", html[pos:start]), (kind if kind.startswith("para") else "date:" + kind, "")]
        pos = end
    pieces.append(("", html[pos:]))
    if not url:
        return None
    layout, folder = _layout(path.relative_to(root))
    host = (urlsplit(url).hostname or "unknown").removeprefix("www.")
    merged: list[tuple[str, str]] = []
    for kind, literal in pieces:
        if kind == "" and merged and merged[-1][0] == "":
            merged[-1] = ("", merged[-1][1] + literal)
        elif kind or literal:
            merged.append((kind, literal))
    template = Template(
        source=str(path.relative_to(root)),
        layout=layout,
        folder=folder,
        suffix=path.suffix,
        host=host,
        title=title,
        url=url,
        base_time=base_time or datetime(2020, 7, 1, tzinfo=UTC),
        pieces=tuple(merged),
    )
    return template, [(html[s:e], strong) for s, e, strong in spans]


def unique_url(url: str, index: int) -> str:
    """A distinct URL for synthetic article `index`: the path gets a suffix, so canonical URLs differ too."""
    parts = urlsplit(url)
    path = parts.path or "/"
    tag = f"-b{index}"
    if path.endswith("/"):
        path = path[:-1] + tag + "/"
    else:
        head, _, last = path.rpartition("/")
        stem, dot, ext = last.rpartition(".")
        last = f"{stem}{tag}.{ext}" if dot and stem and len(ext) <= 5 else last + tag
        path = f"{head}/{last}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


SPLITTERS = ("：", "｜", " | ", "，", " ")


def _split_title(title: str) -> tuple[str, str, str] | None:
    for sep in SPLITTERS:
        head, found, tail = title.partition(sep)
        if found and head and tail:
            return head, sep, tail
    return None


class Scaler:
    """Holds the templates and pools of one real corpus; generates synthetic files deterministically."""

    def __init__(self, source: Path) -> None:
        self.source = source
        files = sorted(p for p in source.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        self.templates: list[Template] = []
        self.skipped: list[str] = []
        paragraphs: dict[tuple[str, bool], list[str]] = defaultdict(list)
        titles: dict[str, list[str]] = defaultdict(list)
        donors: dict[str, list[tuple[list[str], list[str]]]] = defaultdict(list)
        for path in files:
            cut = cut_template(source, path)
            if cut is None:
                self.skipped.append(str(path.relative_to(source)))
                continue
            template, paras = cut
            self.templates.append(template)
            titles[template.host].append(template.title)
            for inner, strong in paras:
                paragraphs[(template.host, strong)].append(inner)
                if strong:
                    paragraphs[(template.host, False)].append(inner)
            if paras:
                donors[template.host].append(([i for i, st in paras if st], [i for i, st in paras if not st]))
        self.paragraphs = dict(paragraphs)
        self.donors = dict(donors)
        self.titles = dict(titles)

    def _title(self, rng: random.Random, host: str, fallback: str) -> str:
        pool = self.titles.get(host) or [fallback]
        first, second = rng.choice(pool), rng.choice(pool)
        a, b = _split_title(first), _split_title(second)
        if a and b:
            return a[0] + a[1] + b[2]
        return first

    def render(self, rng: random.Random, template: Template, index: int) -> tuple[str, str, datetime]:
        """Text, title and publication time of synthetic article `index` made from `template`."""
        when = template.base_time + timedelta(seconds=rng.randint(-SPREAD_DAYS * 86400, SPREAD_DAYS * 86400))
        when = min(max(when, EARLIEST), LATEST)
        stamp = when + timedelta(seconds=rng.randint(60, 5400))  # the feed sees it minutes later
        title = self._title(rng, template.host, template.title)
        url = unique_url(template.url, index)
        host = template.host
        plain = self.paragraphs.get((host, False), [])
        strong = self.paragraphs.get((host, True), plain)
        # The body follows one donor article of the same outlet, in order, so it stays about one topic
        # (a bag of random paragraphs has more distinct characters per article than real news, which
        # inflates the full-text index); some paragraphs are swapped so every body differs.
        donor_leads, donor_body = rng.choice(self.donors[host]) if host in self.donors else ([], [])
        leads, body = iter(donor_leads), iter(donor_body)
        out: list[str] = []
        for kind, literal in template.pieces:
            if not kind:
                out.append(literal)
            elif kind == "para":
                chosen = next(body, None)
                out.append(rng.choice(plain) if chosen is None or rng.random() < SWAP_SHARE else chosen)
            elif kind == "para_strong":
                out.append(next(leads, None) or rng.choice(strong))
            elif kind.startswith("date:"):
                out.append(format_date(kind[5:], when))
            elif kind == "stamp":
                out.append(f"<!--{int(stamp.timestamp() * 1000)}-->")
            elif kind == "title":
                out.append(f"[{title}]")
            elif kind == "url_line":
                out.append(f"({url})")
            elif kind == "url":
                out.append(url)
            elif kind == "fm_title":
                out.append(title)
            elif kind == "fm_title_quoted":
                out.append(json.dumps(title, ensure_ascii=False))
            elif kind == "fm_date":
                out.append(format_date("iso_ms_z", stamp))
        return "".join(out), title, when

    def file_name(
        self, rng: random.Random, template: Template, index: int, title: str, when: datetime
    ) -> str:
        """Relative path of a synthetic file, in the layout of its template's folder."""
        file_id = FIRST_ID + index
        safe = title.replace("/", "_").replace("\x00", "")
        while len(safe.encode("utf-8", "surrogateescape")) > 180:
            safe = safe[:-1]
        if template.layout == "jekyll":
            day = when.strftime("%Y-%m-%d")
            return f"{template.folder}/{day}/{day}-{safe}{template.suffix}"
        if template.layout == "oped2":
            return f"{template.folder}/{file_id}_{safe}{template.suffix}"
        if template.layout == "code-commit":
            return f"{template.folder}/{file_id}__{rng.getrandbits(32):08x}{template.suffix}"
        return f"{template.folder}/{file_id}{template.suffix}"

    def generate(
        self, out: Path, n: int, seed: int, *, progress: bool = True, repair: bool = False
    ) -> dict[str, object]:
        """Write n synthetic files under `out`; returns a summary (files, bytes, per-outlet-folder counts)."""
        rng = random.Random(seed)
        order = list(range(len(self.templates)))
        rng.shuffle(order)
        made_dirs: set[str] = set()
        used: dict[str, int] = {}
        per_folder: dict[str, int] = defaultdict(int)
        total_bytes = repaired = 0
        started = time.perf_counter()
        columns = (TextColumn("scale"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, disable=not progress) as bar:
            task = bar.add_task("scale", total=n)
            for index in range(n):
                template = self.templates[order[index % len(order)]]
                text, title, when = self.render(rng, template, index)
                rel = self.file_name(rng, template, index, title, when)
                if template.layout == "jekyll":  # <day>-<title> names can repeat: number the repeats
                    stem, dot, ext = rel.rpartition(".")
                    repeats = used.get(rel, 0)
                    used[rel] = repeats + 1
                    if repeats:
                        rel = f"{stem}-{repeats + 1}{dot}{ext}"
                folder = rel.rpartition("/")[0]
                if folder not in made_dirs:
                    (out / folder).mkdir(parents=True, exist_ok=True)
                    made_dirs.add(folder)
                data = text.encode("utf-8", "surrogateescape")
                target = out / rel
                if repair and target.exists() and target.read_bytes() == data:
                    pass  # already right: repair only rewrites files that differ
                else:
                    with open(target, "wb") as fh:
                        fh.write(data)
                    repaired += repair
                total_bytes += len(data)
                per_folder[template.folder] += 1
                if index % 2000 == 0:
                    bar.update(task, completed=index)
            bar.update(task, completed=n)
        return {
            "files": n,
            "seed": seed,
            "bytes": total_bytes,
            "templates": len(self.templates),
            "skipped_templates": self.skipped,
            "seconds": round(time.perf_counter() - started, 1),
            "per_folder": dict(sorted(per_folder.items())),
            **({"repaired": repaired} if repair else {}),
        }


def article_files(root: Path) -> list[Path]:
    """Every article file under root, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def mutate(root: Path, fraction: float, seed: int) -> list[Path]:
    """Change the article text of `fraction` of the files (toggle a marker after the first 。): a 1% edit."""
    files = article_files(root)
    chosen = random.Random(seed).sample(files, max(1, round(len(files) * fraction)))
    for path in chosen:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        head, sep, body = text.partition("\n------")
        if MARK in body:
            body = body.replace(MARK, "", 1)
        elif "。" in body:
            body = body.replace("。", "。" + MARK, 1)
        else:
            body = body + "\n"
        path.write_bytes((head + sep + body).encode("utf-8", "surrogateescape"))
    return chosen


def ensure_corpus(source: Path, out: Path, n: int, seed: int, *, progress: bool = True) -> dict[str, object]:
    """Generate the corpus unless `out` already holds the one for (n, seed); the stamp file says which."""
    stamp = out / "scale.json"
    if stamp.exists():
        summary = json.loads(stamp.read_text())
        if summary.get("files") == n and summary.get("seed") == seed:
            return summary
    if out.exists():
        raise click.ClickException(f"{out} exists but is not the finished corpus n={n} seed={seed}")
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        raise click.ClickException(f"{partial} is left from an interrupted run; remove it")
    summary = Scaler(source).generate(partial, n, seed, progress=progress)
    (partial / "scale.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    partial.rename(out)
    return summary


@click.command()
@click.option("-n", "--files", "n", type=int, default=60_000, show_default=True, help="articles to make")
@click.option("--seed", type=int, default=20260101, show_default=True)
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("../shared/corpus"),
    show_default=True,
    help="the real archive sample",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="output folder [default: benchmarks/work/corpus-N]",
)
@click.option("--repair", is_flag=True, help="re-render into an existing folder, rewriting files that differ")
def main(n: int, seed: int, source: Path, out: Path | None, repair: bool) -> None:
    """Make a synthetic archive of N article files from the real sample (deterministic for a seed)."""
    out = out or Path("benchmarks/work") / f"corpus-{n}"
    if repair:
        summary = Scaler(source).generate(out, n, seed, repair=True)
        (out / "scale.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
        click.echo(f"{out}: {summary['repaired']} files rewritten")
        return
    summary = ensure_corpus(source, out, n, seed)
    click.echo(
        f"{out}: {summary['files']} files, {int(summary['bytes']) / 1e6:.0f} MB "
        f"from {summary['templates']} templates in {summary['seconds']} s"
    )


if __name__ == "__main__":
    main()
