"""Where article files come from, behind one small interface, so the build never walks folders itself.

A `Source` yields `SourceFile` records. A record is identified by `source`: the SOURCE's name, a slash, and
the file's path within it (`corpus/oped2-2020/articles/法广/123_标题.md`). That string is the key of the
`captures` and `build_errors` tables, so it must be stable from one run to the next: it never contains the
absolute location of the folder (moving the archive keeps the database valid; renaming the folder does not).

The incremental build decides "unchanged" from `(size, mtime_ns)` alone, without reading the file, so a
source must guarantee that a record with the same `source`, `size` and `mtime_ns` has the same bytes (up to
the usual mtime caveat of file systems; the build then confirms any difference with a content hash).

`FolderSource` walks a folder recursively for `*.md` and `*.txt` files. It skips:
- hidden files and folders (`.git`, editor swap files): they are never articles;
- `README.md` (any letter case, at any depth): the archiver names articles `<id>.md` or `<id>_<title>.md`,
  never `README.md`, and archives (like ../shared/corpus) describe themselves with a README at the root.

`GitHistorySource` yields every version of every article file in a git repository's history (the archiver
overwrote files, so old articles live only there): `source` = `NAME/path@<commit12>`. A version never
changes, so the same fast check stays exact (`mtime_ns` is the commit time, `size` the blob size), and
its `read()` is picklable (it runs `git cat-file`). Nothing in the build depends on files being on disk.
"""


from __future__ import annotations

import os
from collections.abc import Iterable

from zhnews.sources.base import SUFFIXES, Source, SourceError, SourceFile, is_article_name, source_name
from zhnews.sources.folder import DiskFile, FolderSource
from zhnews.sources.git import GitBlob, GitHistorySource

__all__ = ["SUFFIXES", "DiskFile", "FolderSource", "GitBlob", "GitHistorySource", "Source", "SourceError",
           "SourceFile", "is_article_name", "open_sources", "source_name"]


def open_sources(paths: Iterable[str | os.PathLike[str]], *, git_history: bool = False) -> list[Source]:
    """SOURCE arguments as sources (folders, or git repositories read through their history).

    The names must differ, since they prefix every `source` id.
    """
    sources: list[Source] = [GitHistorySource(p) if git_history else FolderSource(p) for p in paths]
    if not sources:
        raise SourceError("no SOURCE given")
    seen: dict[str, Source] = {}
    for src in sources:
        if src.name in seen:
            raise SourceError(
                f"two SOURCEs share the name {src.name!r} ({seen[src.name]!r} and {src!r}): "
                "the name prefixes every source id, so it must be unique"
            )
        seen[src.name] = src
    return sources
