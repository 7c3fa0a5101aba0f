"""Canonical article URLs: the canonical URL is the article key, so equal articles must get equal strings.

Two captures of the same article may differ in scheme (http/https), doubled slashes (`rfi.fr//cn/`),
the case of percent-escapes (`%e9` vs `%E9`), raw vs escaped non-ASCII, fragments and tracking
parameters. canonical_url() removes exactly those differences and nothing else (paths and ordinary
query parameters are kept: `?full=y` may matter to an outlet).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Runs of slashes in a path, except right after a colon: a nested URL (`/https://…`) keeps its `//`.
_SLASHES = re.compile(r"(?<!:)/{2,}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are in a path or query (RFC 3986 reserved + unreserved, and `%` for escapes).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_TRACKING = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref_src"})


# Every `%XX` escape -> its normal form: the character itself when unreserved, else upper-case hex.
_ESCAPE_FORM = {f"{h:02X}": (chr(h) if chr(h) in _UNRESERVED else f"%{h:02X}") for h in range(256)}
# Already safe ASCII with well-formed escapes: quote() (slow, per character) can be skipped.
_SAFE_ASCII = re.compile(r"[A-Za-z0-9\-._~/:@!$&'()*+,;=?%]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# An escape that is not in normal form: lower-case hex, or an unreserved character (- . 0-9 A-Z _ a-z ~).
_NOT_NORMAL = re.compile(r"%(?:[0-9A-Fa-f][a-f]|[a-f][0-9A-F]|2[DE]|3[0-9]|[46][1-9A-F]|[57][0-9A]|5F|7E)")


def _normalise_escapes(part: str, safe: str) -> str:
    """Escape raw non-ASCII and unsafe characters; decode escapes of unreserved characters; upper-case hex."""
    if not _SAFE_ASCII.fullmatch(part) or _BAD_PERCENT.search(part):
        # A `%` not followed by two hex digits is a literal percent sign: escape it.
        part = quote(_BAD_PERCENT.sub("%25", part), safe=safe)
    if not _NOT_NORMAL.search(part):
        return part
    return _ESCAPE.sub(lambda m: _ESCAPE_FORM[m.group(1).upper()], part)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(_TRACKING) or lowered in _TRACKING_NAMES


def canonical_url(url: str) -> str:
    """The canonical form of an http(s) article URL; ValueError for anything else.

    https, lower-case host without default port, duplicate slashes collapsed, percent-encoding
    normalised, no fragment, utm_* and click-id parameters dropped.
    """
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)  # may raise ValueError (e.g. a bad IPv6 literal)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url[:80]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"URL has no host: {url[:80]!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValueError(f"URL host is not a valid name: {url[:80]!r}") from exc
    port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = _normalise_escapes(_SLASHES.sub("/", parts.path) or "/", _PATH_SAFE)
    query = ""
    if parts.query:
        # Each `key=value` item as written: a key without a value keeps no `=` (DW writes a literal `?` in
        # its slug, `…华为?/a-54180796`, whose "query" `/a-54180796` must come back as it was).
        items = [item for item in parts.query.split("&") if item and not _is_tracking(item.split("=", 1)[0])]
        query = _normalise_escapes("&".join(items), _QUERY_SAFE)
    return urlunsplit(("https", netloc, path, query, ""))


# A site that prefixed its own host to a link already absolute: the link is the URL after it.
_GLUED_HOST = re.compile(r"https?://[^/?#]+?(https?://.+)$", re.IGNORECASE)


def absolute_url(url: str, base_url: str = "") -> str:
    """`url` resolved against `base_url` and upgraded to https; "" when it is not a web URL.

    Unlike canonical_url this keeps the path as written: image and archive links nest whole
    URLs in their path (`…/1340x754/https://thumbor…`, `web.archive.org/web/2020/https://…`), and
    collapsing their `//` would break them.
    """
    # As browsers do (WHATWG URL): trim, drop tabs and newlines anywhere (`java\tscript:`), encode spaces.
    url = (
        url.strip(" \t\n\r\f\v\x00").replace("\t", "").replace("\n", "").replace("\r", "").replace(" ", "%20")
    )
    if not url:
        return ""
    if url.find("://", 8) > 0 and (glued := _GLUED_HOST.match(url)):  # `https://www.x.comhttps://…`
        url = glued.group(1)
    try:
        if base_url and not url.startswith(("https://", "http://")):  # absolute URLs need no join
            url = urljoin(base_url, url)
        elif url.startswith("//"):
            url = "https:" + url
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    return "https" + url[len(parts.scheme) :]
