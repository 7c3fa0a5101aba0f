"""Chinese full-text search: the one normalisation and query rewrite (text), snippets, the FTS5 index.

Shared by the build (what is indexed) and the Datasette plugins (what is asked): both sides import from
here, so a query always means what the index holds.
"""
