"""Images of an article: the real source behind an <img> and when alt text can stand as a caption."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from bs4 import Tag

from zhnews.extract.urls import absolute_url
from zhnews.text import HAN_RE, clean_line

# Image sources that are not pictures: inline placeholders, 1-px spacers, icons, emoji, generic logos.
_PLACEHOLDER_PARTS = ("/icon-", "/icon_", "++plone++", "/meta_og_twcards/", "/emoji/", "og-fallback-image",
                      "youtube.com/watch", "youtu.be/")  # a video's page given as a picture
# Alt text by which a page marks an image as decoration (BBC's `Presentational grey line` rules).
_DECORATIVE_ALT = ("presentational", "decorative")
_SPACER_WORDS = (
    "blank", "spacer", "placeholder", "1px", "pixel", "transparent", "banner", "divider", "separator",
)
_GENERIC_ALT = re.compile(
    r"^(?:image|img|photo|picture|file|poster|图片|圖片|\W*|[\w.-]+\.(?:jpe?g|png|gif|webp))$", re.IGNORECASE
)


def attr(tag: Tag, name: str) -> str:
    """An attribute as one string ("" when absent; a class list joined by spaces)."""
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value or ""


def alt_caption(img: Tag) -> str:
    """Alt text good enough to stand as a caption: not a file name or a lone English keyword."""
    alt = clean_line(attr(img, "alt"))
    if _GENERIC_ALT.match(alt) or (" " not in alt and not HAN_RE.search(alt)):
        return ""
    return alt


def declared_size(img: Tag) -> tuple[int, int] | None:
    """(width, height) as the <img> declares them in pixels, None when it does not say both."""
    try:
        return int(attr(img, "width").removesuffix("px")), int(attr(img, "height").removesuffix("px"))
    except ValueError:
        return None


_PIXEL = 2  # a declared size this small is a tracking pixel (`width="1" height="1"`), never a picture
_PHOTO = 100  # both sides at least this, neither side over 5 times the other: a picture, not a strip


def declared_photo(img: Tag) -> bool:
    """The <img> declares the size of a picture (not of a rule, strip or icon)."""
    size = declared_size(img)
    return size is not None and min(size) >= _PHOTO and max(size) <= 5 * min(size)


def image_src(img: Tag, base_url: str) -> str:
    """The real image behind an <img>: lazy-loading attributes first, placeholders, tracking pixels and
    empty src skipped."""
    if "width" in img.attrs and (size := declared_size(img)) is not None and max(size) <= _PIXEL:
        return ""
    if attr(img, "alt").lstrip().lower().startswith(_DECORATIVE_ALT):
        return ""
    for key in ("data-lazy-src", "data-src", "data-original", "src"):
        value = img.get(key)
        if isinstance(value, str) and plausible_src(value.strip()):
            return unwrap_proxy(absolute_url(value, base_url))
    srcset = img.get("data-lazy-srcset") or img.get("srcset") or img.get("srcSet")
    if isinstance(srcset, str) and srcset.strip():
        first = srcset.split(",")[0].split()
        if first and plausible_src(first[0]):
            return unwrap_proxy(absolute_url(first[0], base_url))
    return ""


_DISTINCT_NAME = 6


def image_key(src: str) -> str:
    """What two renditions of one picture share: its file name (with its folder when the name is as bare
    as `1.jpg`), not the size folders an image server puts before it (`/640/…`, `/w:310/p:16x9/`) or a
    `.webp` it appends."""
    parts = src.split("?", 1)[0].lower().split("/")[3:]  # the path, without scheme and host
    # the last part that is a file name (RFA's Plone writes `…/photo.jpg/image`) and its folder
    named = [i for i, part in enumerate(parts) if "." in part and not part.startswith("@")]
    if not named:
        return src
    i = named[-1]
    name = parts[i].removesuffix(".webp")
    stem = name.rsplit(".", 1)[0]
    if len(stem) >= _DISTINCT_NAME and not stem.isdigit():
        return name  # a name of its own (`hk0703.jpg`): every rendition of the picture bears it
    return "/".join([*parts[max(0, i - 1) : i], name])  # `1.jpg`: only its folder tells pictures apart


def real_image(img: Tag) -> bool:
    """The <img> points at a picture (RFA's zoom icon beside a photo does not)."""
    return any(
        isinstance(v := img.get(key), str) and plausible_src(v.strip())
        for key in ("data-lazy-src", "data-src", "data-original", "src")
    )


def plausible_src(src: str) -> bool:
    """Not empty, not a placeholder, and shaped like a path or URL (a bare `x` is junk, not a picture)."""
    if not src or ("/" not in src and "." not in src):
        return False
    low = src.lower()
    if low.startswith("data:") or any(part in low for part in _PLACEHOLDER_PARTS):
        return False
    if "?url=" in low and any(host in low for host in _PROXY_MARKS):  # judge the picture behind the proxy
        low = low.split("?url=", 1)[1].split("&", 1)[0]
    path = low.split("?", 1)[0]
    if path.endswith(".svg"):
        return False
    name = path.rsplit("/", 1)[-1]
    if "presentational" in name:  # named decoration, whatever its format (`…_presentational_grey_line.jpg`)
        return False
    return not (name.endswith((".png", ".gif")) and any(word in name for word in _SPACER_WORDS))


_PROXIES = frozenset({"images.weserv.nl", "wsrv.nl"})
_PROXY_MARKS = ("weserv.nl", "wsrv.nl")  # every proxy host contains one of these


def unwrap_proxy(src: str) -> str:
    """`https://images.weserv.nl/?url=X` -> X as absolute https.

    The proxy was the archiver's way to make images load in China; the outlet's own URL is the image's
    identity (the same photo through two proxies is one image), every outlet here serves it over https,
    and the reader view should not depend on a third-party resizer. If the inner URL is unusable the
    proxied URL is kept, since it is itself a working https URL.
    """
    if not src or not any(host in src.lower() for host in _PROXY_MARKS):  # cheap test before urlsplit
        return src
    parts = urlsplit(src)
    if parts.hostname not in _PROXIES:
        return src
    inner = dict(parse_qsl(parts.query)).get("url", "").strip()
    if inner.startswith("ssl:"):
        inner = inner[4:]
    if inner and "://" not in inner and not inner.startswith("//"):
        inner = "https://" + inner
    return (absolute_url(inner, "") if inner else "") or src
