"""The gold set: hand-annotated articles, the tools to annotate and review them, and their scoring."""
