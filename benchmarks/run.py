"""`make bench`: measure build, rebuild, size and serving at archive scale; write benchmarks/RESULTS.md.

Why stages with saved results: a 500k run takes long on 2 shared cores; each stage stores its figures in
benchmarks/results/<N>.json as soon as it ends, so a stage can be re-run alone (after a fix) and RESULTS.md
is always rendered from what was actually measured.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import click

from benchmarks import dbsize, history, latency, load, machine, report
from benchmarks.proctree import RunStats, run_measured
from benchmarks.scale_corpus import article_files, ensure_corpus, mutate

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
STAGES = (
    "corpus",
    "parse",
    "parse2",
    "insert",
    "insertseg",
    "build1",
    "build",
    "noop",
    "change",
    "size",
    "http",
    "load",
    "history",
    "repack",  # with history: also a build from a repacked copy (a repack of ~30 min at 300k, kept)
)
CHANGE_FRACTION = 0.01
CHANGE_SEED = 7


def _python() -> str:
    venv = ROOT / ".venv/bin/python"
    return str(venv if venv.exists() else sys.executable)


def _remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    for stray in db.parent.glob(db.name + ".tmp*"):
        stray.unlink() if stray.is_file() else shutil.rmtree(stray)


def _build(corpus: Path, db: Path, workers: int) -> dict[str, object]:
    cmd = [
        _python(),
        str(ROOT / "build_db.py"),
        str(corpus),
        "--db",
        str(db),
        "--workers",
        str(workers),
        "--quiet",
    ]
    stats: RunStats = run_measured(cmd, ROOT)
    if stats.returncode != 0:
        raise click.ClickException(f"build failed ({stats.returncode}):\n{stats.output_tail}")
    result = asdict(stats)
    result["workers"] = workers
    return result


def _ceiling(args: list[str]) -> dict[str, object]:
    cmd = [_python(), "-m", "benchmarks.ceilings", *args]
    stats = run_measured(cmd, ROOT)
    if stats.returncode != 0:
        raise click.ClickException(f"ceiling {args[0]} failed:\n{stats.output_tail}")
    figures = json.loads(stats.output_tail.strip().splitlines()[-1])
    figures["peak_tree_pss_mb"] = stats.peak_tree_pss_mb
    figures["tree_cpu_seconds"] = stats.tree_cpu_seconds
    return figures


def _warm(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        path.read_bytes()
    return time.perf_counter() - started


class Run:
    """The results of one N, saved after every stage."""

    def __init__(self, n: int, results_dir: Path) -> None:
        self.path = results_dir / f"{n}.json"
        self.data: dict = json.loads(self.path.read_text()) if self.path.exists() else {"n": n}
        self.data["n"] = n

    def save(self, key: str, value: object) -> None:
        self.data[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=1))


def bench_one(
    n: int,
    *,
    stages: tuple[str, ...],
    seed: int,
    source: Path,
    work: Path,
    results: Path,
    reps: int,
    one_worker_max: int,
    load_clients: int = load.CLIENTS,
    load_seconds: float = load.SECONDS,
    log: Callable[[str], None] = click.echo,
) -> None:
    """All stages for one archive size."""
    run = Run(n, results)
    cores = os.cpu_count() or 1
    fresh_machine = machine.describe(ROOT)
    if "build" in stages or "machine" not in run.data:
        run.save("machine", fresh_machine)
    corpus = work / f"corpus-{n}"
    base = work / f"n{n}"
    base.mkdir(parents=True, exist_ok=True)
    db = base / "news.db"  # the name `news` is what metadata.yml configures

    log(f"[{n}] corpus")
    run.save("corpus", ensure_corpus(source, corpus, n, seed, progress=False))
    files = article_files(corpus)
    (base / "files.txt").write_text("\n".join(map(str, files)) + "\n")
    log(f"[{n}] warm page cache: {_warm(files):.1f} s")

    texts = base / "texts.pickle"
    if "parse" in stages:
        log(f"[{n}] ceiling: parse alone, 1 core")
        run.save("parse", _ceiling(["parse", str(base / "files.txt"), "--texts", str(texts)]))
        log(f"[{n}]   {run.data['parse']['files_per_s']:.0f} files/s")
    if "parse2" in stages:
        log(f"[{n}] parse alone, {cores} processes")
        run.save(
            "parse_parallel", _ceiling(["parse-parallel", str(base / "files.txt"), "--workers", str(cores)])
        )
    if "insert" in stages or "insertseg" in stages:
        if not texts.exists():
            raise click.ClickException(
                "the insert ceiling needs the parse stage's texts: run stage parse first"
            )
        wanted = {"none": "insert" in stages, "zhnews": "insertseg" in stages}
        for key, segmenter in (("insert", "none"), ("insert_segmented", "zhnews")):
            if not wanted[segmenter]:
                continue
            log(f"[{n}] ceiling: sqlite-utils insert + FTS ({segmenter})")
            ceiling_db = base / f"ceiling-{segmenter}.db"
            run.save(
                key,
                _ceiling(
                    [
                        "insert",
                        str(base / "files.txt"),
                        "--texts",
                        str(texts),
                        "--db",
                        str(ceiling_db),
                        "--segmenter",
                        segmenter,
                    ]
                ),
            )
            _remove_db(ceiling_db)
        texts.unlink(missing_ok=True)
    if "build1" in stages:
        if n <= one_worker_max:
            log(f"[{n}] cold build, 1 worker")
            one_db = base / "one" / "news.db"
            one_db.parent.mkdir(exist_ok=True)
            _remove_db(one_db)
            run.save("build_1", {**_build(corpus, one_db, 1), "files_per_s": None})
            run.data["build_1"]["files_per_s"] = n / run.data["build_1"]["seconds"]
            run.save("build_1", run.data["build_1"])
            _remove_db(one_db)
        else:
            run.save("build_1", {})
            notes = [x for x in run.data.get("notes", []) if "1-worker" not in x]
            run.save(
                "notes",
                [
                    *notes,
                    f"the 1-worker cold build was not run at N={n:,} (over --one-worker-max "
                    f"{one_worker_max:,}: time budget); see the smaller run for it.",
                ],
            )
    if "build" in stages:
        log(f"[{n}] cold build, {cores} workers")
        _remove_db(db)
        result = _build(corpus, db, cores)
        result["files_per_s"] = n / result["seconds"]
        run.save("build_all", result)
        log(f"[{n}]   {result['files_per_s']:.0f} files/s, peak tree PSS {result['peak_tree_pss_mb']:.0f} MB")
    if "size" in stages and "build" in stages:
        run.save("size", dbsize.breakdown(db))
        log(f"[{n}] after the cold build: search/body_text = {run.data['size']['search_over_body_text']:.2f}")
    if "noop" in stages:
        log(f"[{n}] no-op rebuild")
        run.save("noop", _build(corpus, db, cores))
        log(f"[{n}]   {run.data['noop']['seconds']:.2f} s")
    if "change" in stages:
        changed = mutate(corpus, CHANGE_FRACTION, CHANGE_SEED)
        log(f"[{n}] rebuild after changing {len(changed)} files")
        result = _build(corpus, db, cores)
        result["changed"] = len(changed)
        run.save("change", result)
        mutate(
            corpus, CHANGE_FRACTION, CHANGE_SEED
        )  # toggles the same files back: the corpus is as generated
        log(f"[{n}]   {result['seconds']:.1f} s (corpus restored; the database keeps the changed text)")
    if "size" in stages and "change" in stages:
        after = dbsize.breakdown(db)
        run.save("size_after_change", {k: v for k, v in after.items() if k != "objects"})
        log(f"[{n}] after the 1% rebuild: search/body_text = {after['search_over_body_text']:.2f}")
    elif "size" in stages and "build" not in stages:
        run.save("size", dbsize.breakdown(db))
    if "http" in stages:
        log(f"[{n}] HTTP latency")
        run.save("http", latency.measure(ROOT, db, base / "datasette.log", reps, 100_000, seed))
    if "load" in stages:
        log(f"[{n}] load: 1 client, then {load_clients} clients, {load_seconds:.0f} s each")
        result = load.measure(ROOT, db, base / "load.log", clients=load_clients, seconds=load_seconds,
                              seed=seed)
        run.save("load", result)
        log(f"[{n}]   {result['one']['requests_per_s']:.1f} -> {result['many']['requests_per_s']:.1f} "
            f"requests/s ({result['speedup']:.2f}x), errors {result['many']['errors']}")
    if "history" in stages:
        log(f"[{n}] build from git history vs folder build of the same files, {cores} workers")
        rounds = 2 if n <= 60_000 else 1  # best of two alternating pairs where it is cheap
        result = history.measure(corpus, base, cores, seed, rounds, log)
        if "repack" in stages:
            result["repacked"] = history.measure_repacked(corpus, base, cores, log)
        # its own machine line: the stage is often run alone, at another time than the other stages
        run.save("history", {**result, "machine": fresh_machine, "load_at_end": machine.load_average()})
        log(f"[{n}]   {result['versions_per_s']:.0f} versions/s vs {result['folder_files_per_s']:.0f} "
            f"files/s ({result['ratio']:.2f}x), peak tree RSS {result['history']['peak_tree_rss_mb']:.0f} MB")
    run.save("load_at_end", machine.load_average())


@click.command()
@click.option(
    "-n",
    "--files",
    "sizes",
    type=int,
    multiple=True,
    default=(60_000, 500_000),
    show_default=True,
    help="archive sizes to measure (repeatable), in order",
)
@click.option(
    "--stages",
    default=",".join(STAGES),
    show_default=True,
    help="comma-separated subset of: " + ", ".join(STAGES),
)
@click.option("--seed", type=int, default=20260101, show_default=True)
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=ROOT.parent / "shared" / "corpus",
    show_default=True,
)
@click.option(
    "--work",
    type=click.Path(path_type=Path),
    default=BENCH / "work",
    show_default=True,
    help="generated corpora and databases (git-ignored)",
)
@click.option("--reps", type=int, default=20, show_default=True, help="timed requests per URL")
@click.option(
    "--one-worker-max",
    type=int,
    default=100_000,
    show_default=True,
    help="skip the 1-worker cold build above this N (it takes cores × longer)",
)
@click.option("--load-clients", type=int, default=load.CLIENTS, show_default=True,
              help="concurrent clients of the load stage")
@click.option("--load-seconds", type=float, default=load.SECONDS, show_default=True,
              help="duration of each phase of the load stage (one client, then all)")
def main(
    sizes: tuple[int, ...], stages: str, seed: int, source: Path, work: Path, reps: int, one_worker_max: int,
    load_clients: int, load_seconds: float,
) -> None:
    """Measure every stage for each N and rewrite benchmarks/RESULTS.md."""
    chosen = tuple(s.strip() for s in stages.split(",") if s.strip())
    unknown = set(chosen) - set(STAGES)
    if unknown:
        raise click.BadParameter(f"unknown stages: {', '.join(sorted(unknown))}")
    if not (ROOT / "build_db.py").exists():
        raise click.ClickException("build_db.py not found: nothing to measure")
    for n in sizes:
        bench_one(
            n,
            stages=chosen,
            seed=seed,
            source=source,
            work=work.resolve(),
            results=BENCH / "results",
            reps=reps,
            one_worker_max=one_worker_max,
            load_clients=load_clients,
            load_seconds=load_seconds,
        )
        report.render(BENCH / "results", BENCH / "RESULTS.md")
        click.echo(f"[{n}] written to benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
