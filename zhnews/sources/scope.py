"""Which files of a SOURCE are article files: the same rules for folders and git histories.

Three answers for a path within the SOURCE:
- ignored, silently: hidden files and folders (`.git`, `.github`, editor swap files) and anything that is
  not `*.md` / `*.txt` (images, feeds in XML, site code): never articles, and too many to count;
- skipped, counted by reason in the build report: `*.md` / `*.txt` files that are clearly not articles;
- an article file: it is read, and ends as a capture or a `build_errors` row.

With `--paths GLOB` (repeatable), exactly the files matching a GLOB are articles (the rest is skipped as
"outside --paths"). Without it, the default rules skip what archives hold besides articles. They look at
names only, never at contents, so they cost nothing and a skipped file is never read:
- repository documentation (README, LICENSE, CHANGELOG…) at any depth;
- site generator machinery: folders starting with `_` (Jekyll's `_includes`, `_layouts`, `_data`, `_site`…)
  except `_posts` and `_drafts`, which hold the posts;
- the archiver's index lists: `lists/<outlet>.md`, rewritten by every archiver run (tens of thousands of
  versions in a history);
- site pages: `index`, `404`, `about`, `archive`, `tags`, `categories`, `search`, `feed`…;
- scraping logs: `log/`, `logs/` folders, `*.log.md`, `*.log.txt`, and `log`, `errors`, `failed`… files.
The archiver names articles `<id>.md`, `<id>_<title>.md` or `<day>-<title>.md`, never a bare word, so
none of these rules can hide an article of the known layouts; anything else still gets read and, if it
is no article, a `build_errors` row with its reason.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

SUFFIXES = (".md", ".txt")
RULES_VERSION = 1  # bump when the default rules change: a history built with other rules is rescanned

DOCUMENTATION = frozenset({"readme", "license", "licence", "copying", "notice", "changelog", "changes",
                           "contributing", "code_of_conduct", "security", "authors", "todo"})
CONTENT_FOLDERS = frozenset({"_posts", "_drafts"})
SITE_PAGES = frozenset({"index", "404", "about", "archive", "archives", "tags", "categories", "search",
                        "feed", "rss", "atom", "sitemap", "home", "subscribe"})
LOG_FOLDERS = frozenset({"log", "logs"})
LOG_FILES = frozenset({"log", "logs", "error", "errors", "failed", "failures", "debug"})

OUTSIDE_PATHS = "outside --paths"
DOCS = "repository documentation (README, LICENSE…)"
MACHINERY = "site machinery folder (_includes, _layouts…)"
INDEX_LIST = "index list (lists/<outlet>.md)"
SITE_PAGE = "site page (index, 404, about, feed…)"
LOG = "scraping log"


def is_candidate(name: str) -> bool:
    """Not hidden, and `*.md` / `*.txt`: a file the rules look at at all."""
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def _default_skip(folders: list[str], name: str) -> str | None:
    lower = name.lower()
    stem = lower.rsplit(".", 1)[0]
    if stem in DOCUMENTATION:
        return DOCS
    folded = [f.lower() for f in folders]
    if any(f.startswith("_") and f not in CONTENT_FOLDERS for f in folded):
        return MACHINERY
    if "lists" in folded:
        return INDEX_LIST
    if stem in SITE_PAGES:
        return SITE_PAGE
    if stem in LOG_FILES or stem.endswith(".log") or any(f in LOG_FOLDERS for f in folded):
        return LOG
    return None


def _matches(path: str, glob: str) -> bool:
    if not any(c in glob for c in "*?["):  # a plain folder or file name: it and everything below it
        plain = glob.strip("/")
        return path == plain or path.startswith(plain + "/")
    return fnmatch.fnmatchcase(path, glob.lstrip("/"))


@dataclass(frozen=True)
class PathScope:
    """The article files of a SOURCE: `globs` (from --paths), or the default rules when there are none."""

    globs: tuple[str, ...] = ()

    def skip_reason(self, path: str) -> str | None:
        """None for an article file (a candidate: see is_candidate), else why it is skipped."""
        if self.globs:
            return None if any(_matches(path, g) for g in self.globs) else OUTSIDE_PATHS
        *folders, name = path.split("/")
        return _default_skip(folders, name)

    def describe(self) -> dict[str, object]:
        """What decides the scope: stored with a source's state, so a change of scope rescans a history."""
        return {"paths": list(self.globs), "rules": RULES_VERSION}


def is_hidden_path(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/"))
