"""Files that must neither stop, hang nor swamp a build: each is an article or one `build_errors` row.

Every case is made for real in a temporary folder (FIFOs, symlinks, sparse files, names with invalid bytes,
legacy encodings) and built through the command line, with a timeout: a hang fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.test_build import rows
from zhnews.sources import FolderSource

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def build_cli(src: Path, db: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build_db.py"), str(src), "--db", str(db), *args],
                          capture_output=True, text=True, timeout=timeout)


def built(src: Path, tmp_path: Path, *args: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    db = tmp_path / "news.db"
    result = build_cli(src, db, "--workers", "1", *args)
    assert result.returncode == 0, result.stderr
    return db, result


def errors(db: Path) -> dict[str, str]:
    return dict(rows(db, "SELECT source, error FROM build_errors"))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A folder with one good article, so every case also shows that the build went on."""
    src = tmp_path / "archive"
    src.mkdir()
    (src / "good.md").write_text(fixture("voa.md"), encoding="utf-8")
    return src


# --------------------------------------------------------------------------- 8: names that are not UTF-8

def test_a_file_name_with_invalid_utf8_bytes_is_one_error_not_a_dead_build(
        archive: Path, tmp_path: Path) -> None:
    (archive / os.fsdecode("报道".encode()[:-1] + b".md")).write_text(fixture("dw-2020.md"), encoding="utf-8")
    db, result = built(archive, tmp_path)
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]
    assert errors(db) == {"archive/报\\xe9\\x81.md": (
        "file name is not valid UTF-8: rename the file (its invalid bytes are shown as \\xNN in `source`)")}
    assert "files seen 2" in result.stdout
    again = build_cli(archive, db)
    assert "files seen 2: new 0, changed 0, unchanged 2" in again.stdout


# --------------------------------------------------------------------------- 9: FIFOs and huge files

def test_a_fifo_named_like_an_article_is_an_error_and_never_hangs_the_build(
        archive: Path, tmp_path: Path) -> None:
    os.mkfifo(archive / "x.md")
    db, _ = built(archive, tmp_path)
    assert errors(db) == {"archive/x.md": "not a regular file: a FIFO (named pipe)"}
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(archive: Path, tmp_path: Path) -> None:
    with open(archive / "huge.md", "wb") as handle:  # 6 GB, sparse: nothing is really written
        handle.truncate(6 * 10**9)
    db, _ = built(archive, tmp_path)
    assert errors(db)["archive/huge.md"].startswith("file too large: 6,000,000,000 bytes (the limit is")
    (record,) = [f for f in FolderSource(archive).files() if f.source.endswith("huge.md")]
    assert len(record.read(1000)) == 1001, "read at most limit + 1 bytes, whatever the size"


# --------------------------------------------------------------------------- 10: legacy encodings

@pytest.mark.parametrize(("name", "encoding"), [("voa.md", "gbk"), ("rfi-2023.md", "gb18030"),
                                                ("waimei-cna.md", "big5"), ("dw-2020.md", "utf-16"),
                                                ("nyt-2024.md", "utf-16-be")])
def test_gbk_gb18030_big5_and_utf16_files_are_decoded_not_garbled(
        name: str, encoding: str, tmp_path: Path) -> None:
    src = tmp_path / "archive"
    src.mkdir()
    text = fixture(name)
    data = text.encode(encoding)
    if encoding == "utf-16-be":  # without its byte order mark
        assert not data.startswith(b"\xfe\xff")
    (src / "a.md").write_bytes(data)
    (utf8 := tmp_path / "utf8").mkdir()
    (utf8 / "a.md").write_text(text, encoding="utf-8")
    (elsewhere := tmp_path / "expected").mkdir()
    db, _ = built(src, tmp_path)
    expected, _ = built(utf8, elsewhere)
    assert errors(db) == {}
    columns = "title, title_raw, url, lead, body_text, body_html, author, published"
    assert rows(db, f"SELECT {columns} FROM articles") == rows(expected, f"SELECT {columns} FROM articles")
    assert "\ufffd" not in rows(db, "SELECT title || body_text FROM articles")[0][0]


def test_bytes_in_no_known_encoding_are_a_clear_error_never_mojibake(archive: Path, tmp_path: Path) -> None:
    header = b"<!--1595241918000-->\n[" + "标题".encode("gbk") + b"](https://example.org/a)\n------\n\n<p>"
    (archive / "noise.md").write_bytes(header + bytes(range(0x80, 0x100)) * 20 + b"</p>")
    db, _ = built(archive, tmp_path)
    assert errors(db)["archive/noise.md"].startswith("unknown text encoding:")


# --------------------------------------------------------------------------- 11: symlinks

def test_dangling_symlinks_and_symlink_loops_are_accounted_for(archive: Path, tmp_path: Path) -> None:
    (archive / "dangling.md").symlink_to(archive / "gone.md")
    (archive / "loop-a.md").symlink_to(archive / "loop-b.md")
    (archive / "loop-b.md").symlink_to(archive / "loop-a.md")
    (archive / "linked.md").symlink_to(archive / "good.md")
    db, result = built(archive, tmp_path)
    assert "files seen 5" in result.stdout
    assert errors(db) == {
        "archive/dangling.md": f"dangling symbolic link: its target {str(archive / 'gone.md')!r} "
                               "does not exist",
        "archive/loop-a.md": "symbolic link loop: it never reaches a file",
        "archive/loop-b.md": "symbolic link loop: it never reaches a file"}
    assert rows(db, "SELECT count(*) FROM captures") == [(2,)]  # good.md and its link: one article
    (archive / "gone.md").write_text(fixture("ft.md"), encoding="utf-8")
    rebuilt = build_cli(archive, db)
    assert "errors 0 this run (2 in build_errors)" in rebuilt.stdout


# --------------------------------------------------------------------------- 12: bounded work per file

def test_a_file_of_a_million_elements_is_refused_without_parsing_it(archive: Path, tmp_path: Path) -> None:
    head = fixture("voa.md").split("<div>", 1)[0]
    (archive / "flood.md").write_text(head + "<p>字</p>" * 1_000_000, encoding="utf-8")
    db, _ = built(archive, tmp_path)
    assert errors(db)["archive/flood.md"].startswith("HTML too large: 2,000,0")


def test_a_self_referencing_yaml_front_matter_is_read_safely(archive: Path, tmp_path: Path) -> None:
    cna = fixture("waimei-cna.md")
    assert cna.startswith("---\n")
    (archive / "self.md").write_text("---\nloop: &a [*a]\n" + cna[4:], encoding="utf-8")
    bomb = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 12))
    (archive / "bomb.md").write_text("---\nl0: &l0 [x]\n" + bomb + cna[4:], encoding="utf-8")
    db, _ = built(archive, tmp_path)
    assert errors(db) == {}
    assert rows(db, "SELECT count(*) FROM captures WHERE source IN ('archive/self.md', 'archive/bomb.md')") \
        == [(2,)]


# --------------------------------------------------------------------------- 4, 5: what one article stores

def test_characters_xml_cannot_carry_never_reach_the_database(archive: Path, tmp_path: Path) -> None:
    text = fixture("rfi-2023.md")
    title = text.split("](", 1)[0].rsplit("[", 1)[1]
    hostile = text.replace(title, title[:3] + "\ufffe\uffff\x01" + title[3:], 1)
    hostile = hostile.replace("<p>", "<p>&#xffff;\ufffe&#1;", 3)
    (archive / "xml.md").write_text(hostile, encoding="utf-8")
    db, _ = built(archive, tmp_path)
    (row,) = rows(db, "SELECT * FROM articles WHERE url LIKE '%rfi.fr%'")
    assert not [value for value in row if isinstance(value, str) and XML_ILLEGAL.search(value)]


def test_an_article_larger_than_any_real_one_is_a_clear_error(archive: Path, tmp_path: Path) -> None:
    head = fixture("voa.md").split("<div>", 1)[0]
    paragraph = "<p>" + "新闻" * 400 + "</p>"  # 800 characters
    (archive / "long.md").write_text(head + paragraph * 1_000, encoding="utf-8")  # 800,000 characters
    db, _ = built(archive, tmp_path)
    assert re.match(r"article too large: its text has 80\d,\d{3} characters \(the limit is 500,000",
                    errors(db)["archive/long.md"])
