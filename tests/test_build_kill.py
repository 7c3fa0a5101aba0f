"""A build killed with SIGKILL at any point leaves the previous database intact, and the next run completes.

The build pauses at a named point when ZHNEWS_BUILD_PAUSE_AT is set, so the kill lands deterministically:
after the old database was copied, in the middle of inserting, after the commit of the temporary copy but
before the swap, and just after the swap. Kills after fixed delays cover the instants in between.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from zhnews.build.run import PAUSE_ENV

PARAS = [
    "柏林市议会周四通过新的租金管理条例，规定未来五年内老旧住宅的租金涨幅不得超过百分之十。",
    "支持者认为条例能缓解年轻家庭的住房压力，反对者则担心业主因此减少维修投入。",
    "条例还要求房东在出租前公开房屋的能耗等级，并为低收入租户保留一定比例的公寓。",
]


def write_articles(folder: Path, start: int, count: int) -> None:
    """`count` distinct articles (our own text) in the archiver's format."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        paras = "".join(f"<p>第{i}号报道：{p}</p>" for p in PARAS[: 1 + i % 3])
        (folder / f"{i}.md").write_text(
            f"<!--1595000000000-->\n[柏林租金条例报道之{i}](https://www.dw.com/zh/柏林租金/a-{5400000 + i})\n"
            f"------\n\n<div><i>记者甲<br>2020-07-17T14:59:51.922Z</i></div><p>{paras}</p>\n",
            encoding="utf-8")


def start_build(src: Path, db: Path, *extra: str, pause: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = pause
    return subprocess.Popen([sys.executable, str(ROOT / "build_db.py"), str(src), "--db", str(db), "--quiet",
                             *extra], env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the build; its parsing workers notice their parent is gone and exit by themselves."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def article_count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A database of 40 articles, then 60 more files waiting in the source."""
    src, db = tmp_path / "archive", tmp_path / "news.db"
    write_articles(src / "dw", 0, 40)
    assert start_build(src, db, "--workers", "1").wait(timeout=120) == 0
    assert article_count(db) == 40
    write_articles(src / "dw", 40, 60)
    return src, db


@pytest.mark.parametrize(("point", "workers"), [
    ("copied", "1"), ("applied", "1"), ("applied", "2"), ("committed", "1")])
def test_killed_before_the_swap_the_old_database_is_untouched(built: tuple[Path, Path], point: str,
                                                              workers: str) -> None:
    src, db = built
    before = digest(db)
    proc = start_build(src, db, "--workers", workers, pause=point)
    assert proc.stderr is not None
    assert f"paused at {point}" in proc.stderr.readline()
    kill(proc)
    assert digest(db) == before
    assert article_count(db) == 40
    assert start_build(src, db, "--workers", workers).wait(timeout=120) == 0
    assert article_count(db) == 100
    assert not (db.parent / "news.db.tmp").exists()


def test_killed_just_after_the_swap_the_new_database_is_complete(built: tuple[Path, Path]) -> None:
    src, db = built
    proc = start_build(src, db, "--workers", "1", pause="replaced")
    assert proc.stderr is not None
    assert "paused at replaced" in proc.stderr.readline()
    kill(proc)
    assert article_count(db) == 100
    proc = start_build(src, db, "--workers", "1")
    assert proc.wait(timeout=120) == 0 and article_count(db) == 100


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.8, 1.2, 1.8])
def test_killed_at_any_instant_the_database_is_the_old_one_or_the_new_one(built: tuple[Path, Path],
                                                                          delay: float) -> None:
    src, db = built
    before = digest(db)
    proc = start_build(src, db, "--workers", "2", "--full")
    time.sleep(delay)
    kill(proc)
    if digest(db) != before:  # the swap happened: then the new database is whole
        assert article_count(db) == 100
    else:
        assert article_count(db) == 40
    assert start_build(src, db, "--workers", "2").wait(timeout=120) == 0
    assert article_count(db) == 100


def test_ctrl_c_stops_cleanly_and_leaves_the_old_database(built: tuple[Path, Path]) -> None:
    src, db = built
    before = digest(db)
    proc = start_build(src, db, "--workers", "2", pause="applied")
    assert proc.stderr is not None
    assert "paused at applied" in proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert "interrupted" in proc.stderr.read()
    assert digest(db) == before
    assert not (db.parent / "news.db.tmp").exists()
