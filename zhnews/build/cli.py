"""`python build_db.py SOURCE... [--db news.db] [--workers N] [--full] [--quiet] [--git-history [--rev R]]
[--paths GLOB]...`: the build command line."""

from __future__ import annotations

import sqlite3
import sys
import time

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from zhnews.build import BuildError, build
from zhnews.build.report import report_lines
from zhnews.sources import SourceError, open_sources


class RichProgress:
    """The build's Progress sink as a rich bar: files done / total, files/s, ETA."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("building"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]} files/s"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), console=console, transient=True,
        )
        self.task = self.bar.add_task("build", total=None, rate="-")
        self.started = time.monotonic()
        self.done = 0

    def start(self, total: int | None) -> None:
        self.started = time.monotonic()
        self.bar.update(self.task, total=total)

    def advance(self, n: int) -> None:
        self.done += n
        rate = self.done / max(time.monotonic() - self.started, 1e-6)  # over the whole run: steady, honest
        self.bar.update(self.task, advance=n, rate=f"{rate:,.0f}")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sources", nargs=-1, type=click.Path(file_okay=False, path_type=str))
@click.option("--db", "db_path", default="news.db", show_default=True, type=click.Path(dir_okay=False),
              help="The SQLite database to create or update (replaced atomically).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Parsing processes (default: all cores; 1 parses in this process).")
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of incrementally.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no report.")
@click.option("--git-history", is_flag=True,
              help="A SOURCE that is a git repository (its root, or a bare repository) is read through its "
                   "history: every version of every article file. Other SOURCEs stay folders.")
@click.option("--rev", default="HEAD", show_default=True, metavar="RANGE",
              help="With --git-history: the commits to read, a revision or a range (main, v1..main).")
@click.option("--paths", "globs", multiple=True, metavar="GLOB",
              help="Only files whose path within their SOURCE matches GLOB (repeatable; `*` also "
                   "matches `/`; a plain name means that folder), e.g. --paths articles/. Default: every "
                   "*.md / *.txt file but those clearly not articles (README, lists/, _includes/, site "
                   "pages, logs).")
def main(sources: tuple[str, ...], db_path: str, workers: int | None, full: bool, quiet: bool,
         git_history: bool, rev: str, globs: tuple[str, ...]) -> None:
    """Build (or update) the article database from SOURCE folders of *.md / *.txt article files."""
    console = Console(stderr=True)
    try:
        srcs = open_sources(sources, git_history=git_history, rev=rev, globs=globs)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from exc
    progress = RichProgress(console) if console.is_terminal and not quiet else None
    try:
        if progress is not None:
            with progress.bar:
                report = build(srcs, db_path, workers=workers, full=full,
                               progress=progress)
        else:
            report = build(srcs, db_path, workers=workers, full=full)
    except BuildError as exc:
        click.echo(f"build_db: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("build_db: interrupted (the previous database is unchanged)", err=True)
        sys.exit(130)
    except (OSError, sqlite3.Error) as exc:  # e.g. disk full while writing: the old database is intact
        click.echo(f"build_db: cannot write {db_path}: {exc} (the previous database is unchanged)", err=True)
        sys.exit(1)
    if not quiet:
        for line in report_lines(report):
            click.echo(line)
