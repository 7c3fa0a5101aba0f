"""Where article files come from, behind one small interface, so the build never walks folders itself.

A `Source` yields `SourceFile` records. A record is identified by `source`: the SOURCE's name, a slash, and
the file's path within it (`corpus/oped2-2020/articles/法广/123_标题.md`). That string is the key of the
`captures` and `build_errors` tables, so it must be stable from one run to the next: it never contains the
absolute location of the folder (moving the archive keeps the database valid; renaming the folder does not).
Every record also carries its `origin` (path within the SOURCE; for git, the commit and the blob).

The incremental build decides "unchanged" from `(size, mtime_ns)` alone, without reading the file, so a
source must guarantee that a record with the same `source`, `size` and `mtime_ns` has the same bytes (up to
the usual mtime caveat of file systems; the build then confirms any difference with a content hash).

`Source.scan(previous)` says what one build reads: every file (`complete`), or, for a git history, only the
versions since the commits the previous build read up to (`SourceState`, kept in the `sources` table).

Which files are articles is decided by zhnews.sources.scope, the same for both kinds: `--paths` globs, or
default rules that skip (and count) files that are clearly not articles.

`FolderSource` walks a folder recursively. `GitHistorySource` yields every version of every article file
in a git repository's history (the archiver overwrote files, so old articles live only there):
`source` = `NAME/path@<commit12>`. Nothing in the build depends on files being on disk.
"""


from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from zhnews.sources.base import (
    Loaded,
    Origin,
    Scan,
    Source,
    SourceError,
    SourceFile,
    SourceState,
    Unreadable,
    UnreadableFile,
    source_name,
)
from zhnews.sources.folder import DiskFile, FolderSource
from zhnews.sources.git import GitHistorySource, git_dir_of
from zhnews.sources.git_objects import GitBlob, prefetch
from zhnews.sources.scope import PathScope

__all__ = ["DiskFile", "FolderSource", "GitBlob", "GitHistorySource", "Loaded", "Origin", "PathScope", "Scan",
           "Source", "SourceError", "SourceFile", "SourceState", "Unreadable", "UnreadableFile",
           "open_sources", "prefetch", "source_name"]


def open_sources(paths: Iterable[str | os.PathLike[str]], *, git_history: bool = False, rev: str = "HEAD",
                 globs: Iterable[str] = ()) -> list[Source]:
    """SOURCE arguments as sources. With `git_history`, a SOURCE that is a git repository (its root, or a
    bare repository) is read through its history from `rev`; any other SOURCE is a folder. `globs`
    (--paths) select the article files of every SOURCE.

    The names must differ, since they prefix every `source` id.
    """
    scope = PathScope(tuple(globs))
    sources: list[Source] = []
    for path in paths:
        if git_history and git_dir_of(Path(path)) is not None:
            sources.append(GitHistorySource(path, rev=rev, scope=scope))
        else:
            sources.append(FolderSource(path, scope=scope))
    if not sources:
        raise SourceError("no SOURCE given")
    if git_history and not any(isinstance(s, GitHistorySource) for s in sources):
        raise SourceError("--git-history: no SOURCE is a git repository (give the repository's root folder)")
    seen: dict[str, Source] = {}
    for src in sources:
        if src.name in seen:
            raise SourceError(
                f"two SOURCEs share the name {src.name!r} ({seen[src.name]!r} and {src!r}): "
                "the name prefixes every source id, so it must be unique"
            )
        seen[src.name] = src
    return sources
