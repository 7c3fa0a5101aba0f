"""Annotate gold articles: show a file as numbered segments, and compile a person's selection into entries.

    python -m tests.gold.annotate show ID [--full]      the file's header and segments (not the parser's view)
    python -m tests.gold.annotate compile SPEC...       selections -> entries in tests/gold/articles.yml

A SPEC file (kept outside the repository: it may quote corpus text) holds blocks like

    == corpus:oped2-2020/articles/BBC/1047900_x.md
    outlet: bbc
    title: raw -" - BBC News 中文"          (the title as written, minus literal pieces; or "literal")
    published: 2020-07-14                   (as the page shows it: a date, or ISO with its offset)
    author: 林书桐, 王晓雯
    section: 英国
    lead: 5                                 (a segment expression, or empty)
    body: 6-10 11+12 13:cut"（编辑" 15 "a literal paragraph"
    images: 2 28                            (image segment numbers, or a "URL" the segments cannot show)
    note: why a choice was made
    heldout: yes                            (drawn at random after the rules were written)

Segment expressions: `N`, `A-B` (each its own paragraph), `A+B` (one paragraph), `N:cut"X"` (up to X),
`N:from"X"` (from X on), `N:drop"X"` (without X). Corpus text is stored as hashes (gold.digest).
"""

from __future__ import annotations

import html
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from tests.gold.gold import GOLD_FILE, ROOTS, digest
from tests.gold.segments import Segment, segments
from zhnews.extract.envelope import split

_EXPR = re.compile(r"^(\d+)(?:-(\d+))?((?:\+\d+)*)(?::(cut|from|drop)(.+))?$")
_SPACES = re.compile(r"\s+")


def file_segments(gold_id: str) -> tuple[Any, list[Segment]]:
    root, _, rel = gold_id.partition(":")
    env = split((ROOTS[root] / rel).read_bytes())
    return env, segments(env.html, env.url_raw)


def show(gold_id: str, full: bool = False) -> None:
    env, segs = file_segments(gold_id)
    stamp = datetime.fromtimestamp(env.stamp_ms / 1000, UTC).isoformat() if env.stamp_ms else None
    print(f"title  {env.title_raw}\nurl    {unquote(env.url_raw)[:110]}\nstamp  {stamp}  front-matter date "
          f"{env.front_matter.get('date')}  日期 {env.date_text}")
    for s in segs:
        text = s.text
        if s.kind == "image":
            text = f"IMG {s.src}  alt={text[:40]!r}"
        elif not full and len(text) > 72:
            text = f"{text[:46]} … {text[-20:]} ({len(s.text)})"
        print(f"{s.number:3} {s.path[-42:]:<42} {text}")


def _texts(expr: str, segs: list[Segment]) -> list[str]:
    if expr.startswith(("'", '"')) or not expr[0].isdigit():
        return [expr]
    m = _EXPR.match(expr)
    if not m:
        raise ValueError(f"bad segment expression {expr!r}")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    joined = [int(n) for n in m.group(3).split("+") if n]
    numbers = [[first, *joined]] if joined else [[n] for n in range(first, last + 1)]
    out = []
    for group in numbers:
        text = " ".join(segs[n - 1].text for n in group)
        op, arg = m.group(4), m.group(5)
        if op:
            at = text.find(arg)
            if at < 0:
                raise ValueError(f"{arg!r} not in segment {group}")
            text = {"cut": text[:at], "from": text[at:], "drop": text[:at] + text[at + len(arg):]}[op]
        out.append(_SPACES.sub(" ", text).strip())
    return out


def compile_block(gold_id: str, spec: dict[str, str]) -> dict[str, Any]:
    env, segs = file_segments(gold_id)
    store = digest if gold_id.startswith("corpus:") else (lambda t: t)
    title_spec = spec.get("title", "raw").strip()
    if title_spec.startswith("raw"):
        title = _SPACES.sub(" ", html.unescape(env.title_raw)).strip()
        for piece in shlex.split(title_spec[3:]):
            title = title.replace(piece.removeprefix("-"), "", 1).strip()
    else:
        title = shlex.split(title_spec)[0]
    body = [t for expr in shlex.split(spec.get("body", "")) for t in _texts(expr, segs)]
    lead_spec = spec.get("lead", "").strip()
    lead = " ".join(t for expr in shlex.split(lead_spec) for t in _texts(expr, segs)) if lead_spec else ""
    images = []
    for n in shlex.split(spec.get("images", "")):
        if not n.isdigit():  # a picture the segments cannot show (only in a <noscript> copy)
            images.append(n)
            continue
        seg = segs[int(n) - 1]
        if seg.kind != "image":
            raise ValueError(f"{gold_id}: segment {n} is not an image")
        images.append(seg.src)
    authors = [a.strip() for a in spec.get("author", "").split(",") if a.strip()]
    entry: dict[str, Any] = {
        "id": gold_id,
        "outlet": spec["outlet"].strip(),
        "title": store(title),
        "published": spec["published"].strip(),
        "author": authors,
        "section": spec.get("section", "").strip(),
        "lead": store(lead) if lead else "",
        "paragraphs": [store(t) for t in body],
        "images": images,
    }
    if spec.get("note", "").strip():
        entry["note"] = spec["note"].strip()
    if spec.get("heldout", "").strip() in {"yes", "true"}:
        entry["heldout"] = True
    return entry


def read_specs(text: str) -> dict[str, dict[str, str]]:
    blocks: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if line.startswith("== "):
            current = blocks[line[3:].strip()] = {}
        elif current is not None and ":" in line and not line.startswith("#"):
            name, _, value = line.partition(":")
            current[name.strip()] = value.strip()
    return blocks


def compile_specs(paths: list[str]) -> None:
    existing = yaml.safe_load(GOLD_FILE.read_text(encoding="utf-8")) if GOLD_FILE.exists() else []
    entries = {e["id"]: e for e in existing or []}
    for path in paths:
        for gold_id, spec in read_specs(Path(path).read_text(encoding="utf-8")).items():
            entries[gold_id] = compile_block(gold_id, spec)
    ordered = [entries[k] for k in sorted(entries)]
    GOLD_FILE.write_text(
        "# Hand-annotated gold articles: see tests/gold/README.md. Corpus text is stored as sha1: hashes.\n"
        + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None),
        encoding="utf-8",
    )
    print(f"{len(ordered)} entries in {GOLD_FILE}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["show"]:
        show(sys.argv[2], "--full" in sys.argv)
    elif sys.argv[1:2] == ["compile"]:
        compile_specs(sys.argv[2:])
    else:
        print(__doc__)
