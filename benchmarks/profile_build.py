"""Where a build's time goes: cProfile of a 1-worker build (parsing runs in-process), grouped by module.

Why 1 worker: with workers the parsing happens in other processes that a profiler of the main process does
not see; with --workers 1 the same code runs in one process. Timed in CPU seconds, so other work on a shared
machine does not inflate it; cProfile adds overhead to every Python call: read shares, not absolute seconds.

    python -m benchmarks.profile_build benchmarks/work/corpus-10000 [--top 25]
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent

GROUPS = (  # first match wins: (label, path fragment or builtin name fragment)
    ("bs4: building the soup (lxml feed + tree)", "bs4/builder"),
    ("bs4: tree objects and searching", "bs4/"),
    ("lxml (C)", "lxml"),
    ("nh3 sanitiser (C)", "nh3"),
    ("OpenCC (C)", "opencc"),
    ("sqlite3 (C)", "sqlite3"),
    ("sqlite-utils", "sqlite_utils"),
)


def group_of(filename: str, name: str) -> str:
    """The label a profiled function counts under: a library, a zhnews module, or 'other'."""
    where = f"{filename}:{name}"
    for label, fragment in GROUPS:
        if fragment in where:
            return label
    if "/zhnews/" in filename:
        return "zhnews/" + filename.rsplit("/zhnews/", 1)[1]
    if filename == "~":
        return f"builtin: {name.split(' of ')[0].strip('<>{}')[:40]}"
    if "/site-packages/" in filename:
        return "library: " + filename.rsplit("/site-packages/", 1)[1].split("/")[0]
    if "/lib/python3" in filename:
        return "stdlib: " + filename.rsplit("/lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
    return "other Python"


def profile(corpus: Path, top: int) -> str:
    """Run the build under cProfile; a Markdown table of own time per group and the top functions."""
    from zhnews.build.cli import main as build_main

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "news.db"
        profiler = cProfile.Profile(time.process_time)  # CPU time: other load on the machine does not count
        argv = [str(corpus), "--db", str(db), "--workers", "1", "--quiet"]
        profiler.enable()
        try:
            build_main.main(argv, standalone_mode=False)
        finally:
            profiler.disable()
    stats = pstats.Stats(profiler)
    own: dict[str, float] = defaultdict(float)
    total = 0.0
    rows = []
    for (filename, _, name), (_, _, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        own[group_of(filename, name)] += tottime
        total += tottime
        rows.append((tottime, cumtime, f"{Path(filename).name}:{name}"))
    lines = ["| own time in | s | share |", "|---|---|---|"]
    for label, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"| {label} | {seconds:.1f} | {seconds / total * 100:.1f} % |")
    lines += ["", "| function (top by cumulative time) | cumulative s | own s |", "|---|---|---|"]
    for tottime, cumtime, where in sorted(rows, key=lambda r: -r[1])[:top]:
        lines.append(f"| {where} | {cumtime:.1f} | {tottime:.1f} |")
    return "\n".join(lines)


@click.command()
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--top", type=int, default=25, show_default=True)
def main(corpus: Path, top: int) -> None:
    """Profile a 1-worker cold build of CORPUS and print where the time goes."""
    sys.path.insert(0, str(ROOT))
    click.echo(profile(corpus, top))


if __name__ == "__main__":
    main()
