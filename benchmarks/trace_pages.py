"""Which SQL statements a page spends its time in: Datasette's own tracer (`?_trace=1`, `trace_debug`).

Why: a slow page is the sum of its queries (count, rows, each facet, plugin lookups) plus rendering; the
tracer names each statement and its duration, so a missed latency target points at the statement to fix.

    python -m benchmarks.trace_pages benchmarks/work/n60000/news.db "/news/articles?_search=中国"
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import httpx
from bs4 import BeautifulSoup

from benchmarks import latency

ROOT = Path(__file__).resolve().parent.parent


def trace(client: httpx.Client, url: str) -> dict[str, object]:
    """The tracer's report for one request of url (its JSON is appended to HTML pages in a <pre>)."""
    client.get(url)  # warm
    response = client.get(httpx.URL(url).copy_add_param("_trace", "1"))  # keeps the URL's own query
    soup = BeautifulSoup(response.text, "lxml")
    for pre in reversed(soup.find_all("pre")):
        text = pre.get_text()
        if '"traces"' in text:
            return json.loads(text)
    raise click.ClickException(f"no trace in {url} (status {response.status_code})")


def summary(report: dict, top: int) -> str:
    """Request time, time in SQL, and the slowest statements."""
    traces = sorted(report["traces"], key=lambda t: -t["duration_ms"])
    lines = [
        f"request {report['request_duration_ms']:.0f} ms; SQL {report['sum_trace_duration_ms']:.0f} ms "
        f"in {report['num_traces']} statements"
    ]
    for item in traces[:top]:
        sql = " ".join(str(item.get("sql", "")).split())[:150]
        lines.append(f"  {item['duration_ms']:8.1f} ms  {sql}")
    return "\n".join(lines)


@click.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("urls", nargs=-1, required=True)
@click.option("--top", type=int, default=8, show_default=True)
def main(db: Path, urls: tuple[str, ...], top: int) -> None:
    """Serve DB as `make serve` does, plus trace_debug, and print the SQL time of each URL."""
    original = latency.serve_flags

    def with_trace(root: Path) -> list[str]:
        return [*original(root), "--setting", "trace_debug", "1"]

    latency.serve_flags = with_trace  # type: ignore[assignment]
    server = latency.Server(ROOT, db.resolve(), db.parent / "trace.log")
    try:
        with httpx.Client(base_url=server.base, timeout=120) as client:
            for url in urls:
                click.echo(url)
                click.echo(summary(trace(client, url), top))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
