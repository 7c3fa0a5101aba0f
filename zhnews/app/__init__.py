"""The Datasette app's logic, kept out of plugins/ so it is testable alone: the search page's request,
its timeline, streamed exports."""
