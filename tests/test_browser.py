"""The app in a real browser: Debian's Chromium driven by Playwright against a real `datasette serve` process.

Walks the path a reader takes (home, table, facet, search box, article, the search page with its timeline,
a month, a comparison), saves a screenshot of each step into docs/screenshots/ (shown in the README), and
opens the hostile sample article watching for dialogs, console errors, page errors and any sign that its
payload ran. The search page is also driven on the real corpus (more months to draw) when it is present.
Images of the outlets are answered locally with a placeholder: tests must not depend on the network, and a
failed image load would be a console error.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.appkit import ROOT, SAMPLE, build_database, rows, serve_flags

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "docs" / "screenshots"
PLACEHOLDER = (b'<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720" viewBox="0 0 16 9">'
               b'<rect width="16" height="9" fill="#d5dae0"/><circle cx="5" cy="3.5" r="1.3" fill="#eef1f4"/>'
               b'<path d="M0 9 L6 4.5 L10 7.5 L12.5 5.5 L16 9 Z" fill="#bcc3cb"/></svg>')
# Lines of the hostile sample's payload set no flag themselves (they call alert): the page gets a trap that
# records any alert/confirm/prompt/print call, on top of Playwright's dialog event.
TRAP = """
window.__zhnews_calls = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__zhnews_calls.push(name + ":" + args.join(",")); };
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path) -> Iterator[dict[str, Any]]:
    """`datasette serve -i news.db` with the Makefile's flags, on a free local port."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "-i", str(db), *serve_flags(),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                pytest.fail("datasette exited: " + process.stdout.read().decode(errors="replace")[-2000:])
            time.sleep(0.2)
        else:
            pytest.fail("datasette did not start within 30 s")
        yield {"base": base, "db": db}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    yield from serve(build_database([SAMPLE], tmp_path_factory.mktemp("browser")))


@pytest.fixture(scope="module")
def corpus_server(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    yield from serve(build_database([corpus], tmp_path_factory.mktemp("browser-corpus")))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus everything suspicious it reported: dialogs, console errors, uncaught exceptions."""

    def __init__(self, browser: Any, base: str, *, mobile: bool = False) -> None:
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 1100}
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
        self.context.add_init_script(TRAP)
        self.context.route("**/*", self._route)
        self.base = base
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog {d.type}: {d.message}"), d.dismiss()))
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        elif route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER)
        else:
            self.problems.append(f"request to another site: {route.request.url}")
            route.abort()

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="load")
        return self.page

    def shot(self, name: str, *, full_page: bool = False) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / name), full_page=full_page)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, server: dict[str, Any]) -> Iterator[Watched]:
    page = Watched(browser, server["base"])
    yield page
    page.close()


def test_a_reader_walks_from_the_home_page_to_an_article(watched: Watched) -> None:
    page = watched.goto("/")
    assert page.locator("form.zh-search input[name=q]").is_visible()
    assert page.locator("table.zh-outlets tbody tr").count() > 3
    watched.shot("home.png")

    page = watched.goto("/news/articles")
    assert page.locator("li.zh-card").count() > 10
    watched.shot("articles.png")

    page.locator("#facet-outlet ul.tight-bullets a").first.click()
    page.wait_for_load_state("load")
    assert "outlet=" in page.url
    assert page.locator("h3", has_text="where outlet").count() == 1
    watched.shot("facet.png")

    page = watched.goto("/news/articles")
    page.fill("#_search", "台湾")
    page.press("#_search", "Enter")
    page.wait_for_load_state("load")
    assert "/news/search?q=" in page.url  # the table's search box leads to the search page
    assert page.locator(".zh-result-count").is_visible()
    assert page.locator(".zh-snippet mark").count() > 0
    watched.shot("search-box.png")

    page.locator("li.zh-card h2 a").first.click()
    page.wait_for_load_state("load")
    reader = page.locator("article.zh-reader")
    assert reader.is_visible()
    assert reader.locator(".zh-body p").count() >= 2
    assert reader.locator(".zh-original a").get_attribute("rel") is not None
    watched.shot("article.png", full_page=True)
    assert watched.problems == []


def total_shown(page: Any) -> int:
    return int(page.locator(".zh-result-count strong").get_attribute("data-total"))


def test_the_search_page_counts_draws_the_months_and_narrows_to_one(
        browser: Any, corpus_server: dict[str, Any]) -> None:
    watched = Watched(browser, corpus_server["base"])
    try:
        page = watched.goto("/")
        assert page.locator("svg.zh-coverage-strip rect").count() > 10
        page.fill("form.zh-search input[name=q]", "台湾")
        page.press("form.zh-search input[name=q]", "Enter")
        page.wait_for_load_state("load")
        assert "/news/search?q=" in page.url
        total = total_shown(page)
        assert total > 0 and page.locator("li.zh-card").count() == min(total, 20)
        assert page.locator(".zh-snippet mark", has_text="台湾").count() > 0
        facets = page.locator(".zh-facets .zh-facet").first.locator(".zh-count")
        assert sum(int(c.get_attribute("data-count")) for c in facets.all()) == total
        watched.shot("search.png")

        bars = page.locator("svg.zh-chart a.zh-month:has(rect.zh-bar)")
        assert bars.count() > 0
        busiest = max(bars.all(), key=lambda bar: bar.locator("rect.zh-bar").count() and
                      int(bar.locator("title").text_content().split(": ")[1].split(" ")[0].replace(",", "")))
        month = busiest.get_attribute("data-month")
        expected = int(busiest.locator("title").text_content().split(": ")[1].split(" ")[0].replace(",", ""))
        busiest.click()
        page.wait_for_load_state("load")
        assert f"since={month}-01" in page.url
        assert total_shown(page) == expected
        assert {p.text_content()[-20:] for p in page.locator(".zh-card-meta").all()}  # cards of that month
        watched.shot("search-month.png")

        page.locator("a", has_text="Per 1,000 articles").click()
        page.wait_for_load_state("load")
        assert "norm=1" in page.url and "每千篇" in page.locator(".zh-timeline figcaption").text_content()
        assert watched.problems == []
    finally:
        watched.close()


def test_comparing_queries_draws_a_line_for_each(browser: Any, corpus_server: dict[str, Any]) -> None:
    watched = Watched(browser, corpus_server["base"])
    try:
        page = watched.goto("/news/search?q=" + "香港")
        page.locator("details.zh-filters summary").click()
        page.fill(".zh-compare input[type=search] >> nth=-1", "台湾")
        page.press(".zh-compare input[type=search] >> nth=-1", "Enter")
        page.wait_for_load_state("load")
        assert page.locator(".zh-legend li").count() == 2
        assert page.locator("svg.zh-chart polyline.zh-line").count() >= 2
        strokes = {line.get_attribute("stroke") for line in page.locator("svg.zh-chart polyline").all()}
        assert len(strokes) == 2
        watched.shot("search-compare.png")
        assert watched.problems == []
    finally:
        watched.close()


def test_the_article_page_reads_well_on_a_phone(browser: Any, server: dict[str, Any]) -> None:
    article = rows(server["db"], "select id from articles where image_url is not null "
                                 "order by char_count desc limit 1")[0]
    phone = Watched(browser, server["base"], mobile=True)
    try:
        page = phone.goto(f"/news/articles/{article['id']}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"horizontal scrolling on a phone: {width}px"
        font = page.evaluate("getComputedStyle(document.querySelector('.zh-body p')).lineHeight")
        size = page.evaluate("getComputedStyle(document.querySelector('.zh-body p')).fontSize")
        assert float(font.removesuffix("px")) / float(size.removesuffix("px")) >= 1.7
        phone.shot("article-mobile.png")
        assert phone.problems == []
    finally:
        phone.close()


def test_the_hostile_article_opens_without_running_anything(watched: Watched, server: dict[str, Any]) -> None:
    articles = rows(server["db"], "select id, title from articles")
    hostile = [a for a in articles if "script" in a["title"].lower()]
    assert len(hostile) == 1
    page = watched.goto(f"/news/articles/{hostile[0]['id']}")
    page.wait_for_timeout(500)  # give a lazy onerror or a timer the chance to fire
    assert page.locator("article.zh-reader h1").inner_text() == hostile[0]["title"]  # text, not markup
    assert page.evaluate("window.__zhnews_calls") == []
    dangerous = "article.zh-reader :is(script, iframe, svg, object, embed)"
    assert page.locator(dangerous).count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    for link in page.locator("article.zh-reader .zh-body a[href]").all():  # dangerous hrefs were dropped
        assert (link.get_attribute("href") or "").startswith("https://")
    assert watched.problems == []


def test_screenshots_are_where_the_readme_shows_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shots = ("home.png", "articles.png", "facet.png", "search-box.png", "article.png", "search.png",
             "search-month.png", "search-compare.png")
    for name in shots:
        assert f"docs/screenshots/{name}" in readme, name
