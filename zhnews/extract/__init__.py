"""Extraction: one archive file's bytes -> an `Article`. `parse()` (zhnews.extract.parser) is the one entry.

The pipeline, in the order parse() runs it: envelope (bytes -> header + HTML), urls (canonical URL),
outlets (who published it), meta + bylines + sections + dates (date line, author, section, `published`),
body + walker + lines + figures + images + boilerplate + tag_roles (lead, paragraphs, pictures; what is
not the article), sanitise (the one nh3 allowlist), language.
"""
