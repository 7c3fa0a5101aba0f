"""Re-check one gold annotation by eye: the file, the parser's output and the annotation side by side.

    python -m tests.gold.review ID [ID...]       e.g. corpus:oped2-2020/articles/BBC/1047900_x.md
    python -m tests.gold.review --failing        every article with a field the parser gets wrong

Hashed corpus text is shown by finding the segments of the file (tests.gold.segments) whose text has that
hash, alone or joined with up to three neighbours; a hash no segment explains is shown as such.
"""

from __future__ import annotations

import sys

from tests.gold.annotate import file_segments
from tests.gold.gold import FIELDS, Gold, key, load, score
from tests.gold.segments import Segment

_JOIN = 4


def _resolver(segs: list[Segment]) -> dict[str, tuple[str, str]]:
    """hash -> (segment numbers, text) for every run of up to _JOIN consecutive text segments."""
    texts = [s for s in segs if s.kind == "text"]
    found: dict[str, tuple[str, str]] = {}
    for i in range(len(texts)):
        for n in range(1, _JOIN + 1):
            run = texts[i : i + n]
            if len(run) < n:
                break
            text = " ".join(s.text for s in run)
            found.setdefault(key(text), ("+".join(str(s.number) for s in run), text))
    return found


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else f"{text[: width - 14]} … {text[-10:]}"


def review(gold: Gold) -> None:
    _, segs = file_segments(gold.id)
    known = _resolver(segs)
    got = gold.parse()
    s = score(gold, got)
    print(f"=== {gold.id}  [{gold.outlet}]")
    if gold.note:
        print(f"note: {gold.note}")
    want_paras = [key(p) for p in gold.paragraphs]
    role = {key(gold.title): "TITLE"} | ({key(gold.lead): "LEAD"} if gold.lead else {})
    role |= {k: f"P{i + 1}" for i, k in enumerate(want_paras)}
    print("--- file segments (role in the annotation)")
    for seg in segs:
        text = f"IMG {seg.src}" if seg.kind == "image" else _short(seg.text)
        mark = "IMG" if seg.kind == "image" and seg.src in gold.images else role.get(key(seg.text), "")
        if not mark and seg.kind == "text":
            parts = {k: known.get(k, ("", ""))[0].split("+") for k in role}
            mark = next((r + "…" for k, r in role.items() if str(seg.number) in parts[k]), "")
        print(f"{mark:>6} {seg.number:3} {text}")

    def show(value: str) -> str:
        if key(value) in known:
            return _short(known[key(value)][1])
        return "(hash not found in segments)" if value.startswith("sha1:") else _short(value)

    print("--- annotation")
    print(f"title      {show(gold.title) if not gold.title.startswith('sha1:') else gold.title}")
    print(f"published  {gold.published}\nauthor     {gold.author}\nsection    {gold.section!r}")
    print(f"lead       {show(gold.lead) if gold.lead else ''}")
    for i, p in enumerate(gold.paragraphs):
        print(f"  P{i + 1:<3} {show(p)}")
    print(f"images     {gold.images}")
    print("--- parser")
    if isinstance(got, Exception):
        print(f"ParseError: {got}")
    else:
        print(f"title      {got.title}\npublished  {got.published} ({got.published_from})")
        print(f"author     {got.author!r}")
        print(f"section    {got.section!r}\nlead       {_short(got.lead)}")
        for p in got.paragraphs:
            k = key(p)
            mark = role.get(k, "✗")
            print(f"  {mark:<4} {_short(p)}")
        print(f"images     {[i['src'] for i in got.images]}")
    print("--- score")
    for name in FIELDS:
        print(f"{name:<15} {'ok' if s.fields[name] else 'WRONG  ' + s.reasons.get(name, '')}")


def main(args: list[str]) -> None:
    golds = load()
    if args == ["--failing"]:
        chosen = [g for g in golds if not score(g, g.parse()).perfect]
    else:
        by_id = {g.id: g for g in golds}
        chosen = [by_id[a] for a in args]
    for g in chosen:
        review(g)
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
