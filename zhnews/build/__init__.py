"""The build: sources -> parsed in worker processes (workers, outcome) -> written (writer, schema, search
index) into a temporary copy that replaces the database atomically (atomic). `build()` is in run.py."""

from zhnews.build.result import BuildError, BuildReport, Progress
from zhnews.build.run import build

__all__ = ["BuildError", "BuildReport", "Progress", "build"]
