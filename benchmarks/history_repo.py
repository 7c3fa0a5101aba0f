"""Make an archiver-like git repository from a synthetic archive, for the history benchmark.

Why: the real duty-machine/news history (years of hourly commits, 2.3 GB) cannot be fetched here, and
what makes a history build slow or big is its SHAPE, which is known: an hourly GitHub Action commits a
handful of new articles as `articles/<outlet>/<id>.md` (ids count down), reuses file names (a sorting bug
made it overwrite the same few files again and again, so older articles live only in history), and
rewrites the outlet's index list `lists/<outlet>.md` in the same commit. This module replays that shape
with the synthetic files of `scale_corpus.py` as contents: every synthetic file becomes one version, so a
history build and a folder build of the same corpus read exactly the same bytes.

Written with `git fast-import` (one process, no working tree, a bare repository), deterministic for a
seed; `append_commit` adds one more archiver run for the "one new commit" rebuild.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import click

from benchmarks.scale_corpus import article_files

START = 1_590_969_600  # 2020-06-01T00:00:00Z: the first archiver run
RUN_SECONDS = 3600  # the archiver runs hourly
FIRST_ID = 1_100_000  # ids count down from here, as the archiver's do
HOT_NAMES = 4  # per outlet: the few file names the sorting bug keeps overwriting
LIST_ENTRIES = 100  # lines kept in an outlet's index list
README = "抓取新闻媒体文章（基准测试用的合成仓库）\n------\n\n[各媒体列表](lists/)\n".encode()


def _outlet(path: Path) -> str:
    """The outlet folder of a synthetic file (`…/articles/<outlet>/x.md`), or the archive's name."""
    parts = path.parts
    if "articles" in parts:
        return parts[parts.index("articles") + 1]
    return parts[-3] if len(parts) >= 3 else "misc"


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


class Archiver:
    """Replays archiver runs: which name each new article is written under, and the index lists."""

    def __init__(self, seed: int, reuse: float) -> None:
        self.rng = random.Random(seed)
        self.reuse = reuse
        self.next_id = FIRST_ID
        self.hot: dict[str, deque[str]] = {}
        self.lists: dict[str, deque[str]] = {}
        self.reused = 0

    def name_for(self, outlet: str, taken: set[str]) -> str:
        """A reused name (one this commit has not written yet: each version must stay in history) or a
        new one."""
        hot = [n for n in self.hot.setdefault(outlet, deque(maxlen=HOT_NAMES)) if n not in taken]
        if hot and self.rng.random() < self.reuse:
            self.reused += 1
            return self.rng.choice(hot)
        self.next_id -= 1
        name = f"articles/{outlet}/{self.next_id}.md"
        self.hot[outlet].append(name)
        return name

    def list_file(self, outlet: str, name: str, when: int) -> bytes:
        entries = self.lists.setdefault(outlet, deque(maxlen=LIST_ENTRIES))
        day = time.strftime("%m-%d", time.gmtime(when)).lstrip("0").replace("-0", "-")
        entries.appendleft(f"{day} [{name.rsplit('/', 1)[1]}](/{name})")
        text = f"{outlet}\n------\n\n" + "\n\n".join(entries) + f"\n\n\n[查看更多](/articles/{outlet})\n"
        return text.encode()


def _commit(ref: str, when: int, message: str, changes: list[tuple[str, bytes]], parent: str | None) -> bytes:
    head = (f"commit {ref}\ncommitter archiver <archiver@example.org> {when} +0000\n").encode()
    out = [head, _data(message.encode())]
    if parent:
        out.append(f"from {parent}\n".encode())
    for path, payload in changes:
        out.append(f"M 100644 inline {path}\n".encode())
        out.append(_data(payload))
    out.append(b"\n")
    return b"".join(out)


def _stream(files: list[Path], archiver: Archiver, per_commit: int) -> Iterator[bytes]:
    """The fast-import stream: one commit per archiver run, 1..2*per_commit-1 articles each."""
    i, run = 0, 0
    while i < len(files):
        take = archiver.rng.randint(1, 2 * per_commit - 1)
        when = START + run * RUN_SECONDS
        changes: list[tuple[str, bytes]] = [("README.md", README)] if run == 0 else []
        touched: dict[str, bytes] = {}
        for path in files[i : i + take]:
            outlet = _outlet(path)
            name = archiver.name_for(outlet, {c[0] for c in changes})
            changes.append((name, path.read_bytes()))
            touched[outlet] = archiver.list_file(outlet, name, when)
        changes += [(f"lists/{outlet}.md", text) for outlet, text in sorted(touched.items())]
        yield _commit("refs/heads/main", when, f"archive run {run}", changes, None)
        i += take
        run += 1


def make_repo(corpus: Path, repo: Path, *, seed: int, per_commit: int = 6, reuse: float = 0.3) -> dict:
    """Write the bare repository `repo` from every file of `corpus` (once: `history.json` records it)."""
    stamp = repo / "history.json"
    if stamp.exists():
        summary = json.loads(stamp.read_text())
        if summary.get("corpus") == str(corpus) and summary.get("seed") == seed:
            return summary
    if repo.exists():
        raise click.ClickException(f"{repo} exists but is not the finished repository of {corpus}: remove it")
    files = article_files(corpus)
    random.Random(seed).shuffle(files)  # outlets interleave, as in the real feeds
    started = time.perf_counter()
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True)
    archiver = Archiver(seed, reuse)
    with subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE) as proc:
        assert proc.stdin is not None
        for chunk in _stream(files, archiver, per_commit):
            proc.stdin.write(chunk)
        proc.stdin.close()
        if proc.wait() != 0:
            raise click.ClickException("git fast-import failed")
    commits = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "main"], check=True,
                                 capture_output=True, text=True).stdout)
    summary = {
        "corpus": str(corpus),
        "seed": seed,
        "commits": commits,
        "article_versions": len(files),
        "reused_names": archiver.reused,
        "names": FIRST_ID - archiver.next_id,
        "per_commit": per_commit,
        "reuse": reuse,
        "seconds": round(time.perf_counter() - started, 1),
        "disk_bytes": sum(p.stat().st_size for p in repo.rglob("*") if p.is_file()),
    }
    stamp.write_text(json.dumps(summary, indent=1))
    return summary


def append_commit(repo: Path, files: list[Path], seed: int) -> str:
    """One more archiver run on top of main, writing `files` (changed by the caller) as new articles."""
    rng = random.Random(seed)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "main"], check=True, capture_output=True,
                          text=True).stdout.strip()
    when = int(subprocess.run(["git", "-C", str(repo), "show", "-s", "--format=%ct", head], check=True,
                              capture_output=True, text=True).stdout) + RUN_SECONDS
    changes = [(f"articles/{_outlet(p)}/{rng.randrange(10**6, 10**7)}.md", p.read_bytes()) for p in files]
    stream = _commit("refs/heads/main", when, "archive run (appended)", changes, head)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=stream, check=True)
    return head


@click.command()
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("repo", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=20260101, show_default=True)
@click.option("--per-commit", type=int, default=6, show_default=True, help="mean article versions per commit")
@click.option("--reuse", type=float, default=0.3, show_default=True, help="share of writes to a reused name")
def main(corpus: Path, repo: Path, seed: int, per_commit: int, reuse: float) -> None:
    """Make the bare repository REPO from the synthetic archive CORPUS."""
    click.echo(json.dumps(make_repo(corpus, repo, seed=seed, per_commit=per_commit, reuse=reuse), indent=1))


if __name__ == "__main__":
    main()
