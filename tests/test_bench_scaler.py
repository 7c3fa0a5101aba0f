"""The benchmark corpus scaler: reproducible, the real variant mix, one article per file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.scale_corpus import Scaler, article_files, ensure_corpus, mutate
from zhnews.article import ParseError
from zhnews.extract.parser import parse

pytestmark = pytest.mark.corpus


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in article_files(root)}


def _make(corpus: Path, root: Path, n: int, seed: int) -> dict[str, bytes]:
    ensure_corpus(corpus, root, n, seed, progress=False)
    return _snapshot(root)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(corpus: Path, tmp_path: Path) -> None:
    first = _make(corpus, tmp_path / "a", 300, 1)
    assert len(first) == 300
    assert _make(corpus, tmp_path / "b", 300, 1) == first
    assert _make(corpus, tmp_path / "c", 300, 2) != first


def test_every_real_file_is_used_as_often_as_the_others_so_the_variant_mix_is_the_real_one(
    corpus: Path, tmp_path: Path
) -> None:
    scaler = Scaler(corpus)
    summary = scaler.generate(tmp_path / "x", 2 * len(scaler.templates), 3, progress=False)
    real = Counter(t.folder for t in scaler.templates)
    assert summary["per_folder"] == {folder: 2 * count for folder, count in sorted(real.items())}
    assert len(article_files(tmp_path / "x")) == 2 * len(scaler.templates)


def test_synthetic_files_parse_to_distinct_articles_of_the_templates_outlets(
    corpus: Path, tmp_path: Path
) -> None:
    root = tmp_path / "s"
    ensure_corpus(corpus, root, 400, 4, progress=False)
    articles = []
    for path in article_files(root):
        try:
            articles.append(parse(path.read_bytes(), str(path)))
        except ParseError:  # a template may legitimately yield no article (e.g. a video-only item)
            continue
    assert len(articles) >= 390
    urls = [a.url for a in articles]
    assert len(set(urls)) == len(urls)
    outlets = Counter(a.outlet for a in articles)
    assert {"rfi", "dw", "voa", "bbc", "reuters", "cdt"} <= set(outlets)


def test_mutate_changes_one_percent_and_a_second_call_restores_the_files(
    corpus: Path, tmp_path: Path
) -> None:
    root = tmp_path / "m"
    ensure_corpus(corpus, root, 500, 5, progress=False)
    before = _snapshot(root)
    changed = mutate(root, 0.01, 9)
    after = _snapshot(root)
    assert len(changed) == 5
    assert sum(before[k] != after[k] for k in before) == 5
    mutate(root, 0.01, 9)
    assert _snapshot(root) == before
