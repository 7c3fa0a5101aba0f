"""Extraction: one archive file's bytes -> an `Article`. `parse()` (zhnews.extract.parser) is the one entry.

The pipeline, in the order parse() runs it: envelope (bytes -> header + HTML), urls (canonical URL),
outlets (who published it, and the few rules that belong to one outlet), titles (the headline without
branding or a category label), soup (the HTML parsed once), meta + bylines + dates (date line, time,
author; `published` and why), body + walker + lines + figures + images + boilerplate + tag_roles (lead,
paragraphs, pictures; what is not the article), sections (from the URL), sanitise (the one nh3 allowlist),
language. docs/extraction.md describes the method and its measures (gold set, leave-one-outlet-out).
"""
