"""The end-of-build report as plain lines: printed by the CLI, pasted into notes, read by benchmarks."""

from __future__ import annotations

from collections import Counter

from zhnews.build.result import BuildReport


def report_lines(report: BuildReport, *, top_errors: int = 5) -> list[str]:
    """Human-readable summary; every number comes from the BuildReport of the run."""
    outcome = "database replaced" if report.written else "nothing changed, database untouched"
    lines = [
        f"build: {report.mode}, {outcome}",
        *(f"  {name}: {note}" for name, note in report.sources.items()),
        f"files seen {report.seen:,}: new {report.new:,}, changed {report.changed:,}, "
        f"unchanged {report.unchanged:,} (touched only {report.touched:,}), removed {report.removed:,}",
        f"parsed {report.parsed:,}, errors {report.errors:,} this run "
        f"({report.errors_total:,} in build_errors), re-parsed to re-choose an article {report.rechosen:,}",
        f"articles {report.articles:,} from {report.captures:,} captures",
        *([f"skipped {sum(report.skipped.values()):,} files that are not articles: "
           + ", ".join(f"{reason} {n:,}" for reason, n in Counter(report.skipped).most_common())]
          if report.skipped else []),
        "articles per outlet: " + ", ".join(f"{k} {v:,}" for k, v in report.per_outlet.items()),
        f"elapsed {report.elapsed:.2f} s, {report.files_per_s:,.0f} files/s seen, "
        f"{report.parsed_per_s:,.0f} files/s parsed",
    ]
    for reason, count in Counter(report.error_reasons).most_common(top_errors):
        lines.append(f"  error x{count}: {reason}")
    return lines
