"""The ceilings a build is compared with, measured over the same files in the same run.

Why: on a shared, noisy 2-core machine an absolute files/s means little; the ratio to what bs4+lxml alone
can do (parse ceiling) and to what sqlite-utils alone can write (insert ceiling) shows where the build's own
overhead is. Each ceiling runs in a fresh subprocess so its memory and imports do not leak into the harness.
"""

from __future__ import annotations

import json
import multiprocessing
import pickle
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click


def _parse_one(path: Path) -> tuple[str, float, float]:
    from bs4 import BeautifulSoup

    started, cpu = time.perf_counter(), time.process_time()
    html = path.read_bytes().decode("utf-8", "replace")
    text = BeautifulSoup(html, "lxml").get_text()
    return text, time.perf_counter() - started, time.process_time() - cpu


def parse_ceiling(files: list[Path], texts_out: Path | None) -> dict[str, float]:
    """1 core: read + decode + BeautifulSoup(html, "lxml").get_text() for every file.

    Only the read/parse/get_text time is counted; the extracted texts are pickled to `texts_out`
    (outside the timed region) for the insert ceiling.
    """
    busy = cpu = 0.0
    chars = 0
    sink = texts_out.open("wb") if texts_out else None
    try:
        for index, path in enumerate(files):
            text, seconds, cpu_seconds = _parse_one(path)
            busy += seconds
            cpu += cpu_seconds
            chars += len(text)
            if sink:
                pickle.dump((index, str(path), text), sink, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        if sink:
            sink.close()
    return {
        "files": len(files),
        "seconds": busy,
        "files_per_s": len(files) / busy,
        "text_chars": chars,
        "cpu_seconds": cpu,
        "files_per_cpu_s": len(files) / cpu,
    }


def _parse_chunk(paths: list[str]) -> int:
    for path in paths:
        _parse_one(Path(path))
    return len(paths)


def parse_parallel(files: list[Path], workers: int) -> dict[str, float]:
    """The same parse with `workers` processes (wall time): what the cores really give on this machine."""
    chunks = [[str(p) for p in files[i : i + 200]] for i in range(0, len(files), 200)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = sum(pool.imap_unordered(_parse_chunk, chunks))
    seconds = time.perf_counter() - started
    return {"files": done, "workers": workers, "seconds": seconds, "files_per_s": done / seconds}


def _texts(path: Path) -> Iterator[tuple[int, str, str]]:
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def insert_ceiling(texts: Path, db_path: Path, segmenter: str) -> dict[str, float | str]:
    """A bare sqlite-utils insert of the extracted texts, then an FTS5 index of them (fresh database).

    segmenter "none": the text as is with sqlite-utils' default FTS (unicode61) — the bare minimum;
    "zhnews": the text passed through zhnews.search.text.segment first, i.e. the tokens Chinese search
    needs, so the index is the size and shape the real one has.
    """
    import sqlite_utils

    segment = None
    if segmenter == "zhnews":
        from zhnews.search.text import segment

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    db = sqlite_utils.Database(db_path)
    records = (
        {"id": index, "source": source, "text": segment(text) if segment else text}
        for index, source, text in _texts(texts)
    )
    db["docs"].insert_all(records, pk="id", batch_size=300)
    inserted = time.perf_counter()
    db["docs"].enable_fts(["text"], create_triggers=False)
    done = time.perf_counter()
    count = db["docs"].count
    db.close()
    return {
        "segmenter": segmenter,
        "files": count,
        "seconds": done - started,
        "insert_seconds": inserted - started,
        "fts_seconds": done - inserted,
        "files_per_s": count / (done - started),
        "cpu_seconds": time.process_time() - cpu,
        "db_bytes": db_path.stat().st_size,
    }


@click.command()
@click.argument("kind", type=click.Choice(["parse", "parse-parallel", "insert"]))
@click.argument("file_list", type=click.Path(exists=True, path_type=Path))
@click.option("--texts", type=click.Path(path_type=Path), default=None)
@click.option("--db", type=click.Path(path_type=Path), default=None)
@click.option("--workers", type=int, default=2)
@click.option("--segmenter", type=click.Choice(["none", "zhnews"]), default="none")
def main(
    kind: str, file_list: Path, texts: Path | None, db: Path | None, workers: int, segmenter: str
) -> None:
    """Run one ceiling in this process and print its figures as JSON (the harness calls this)."""
    if kind == "insert":
        assert texts and db
        result: dict[str, object] = dict(insert_ceiling(texts, db, segmenter))
    else:
        files = [Path(line) for line in file_list.read_text().splitlines() if line]
        if kind == "parse":
            result = dict(parse_ceiling(files, texts))
        else:
            result = dict(parse_parallel(files, workers))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
