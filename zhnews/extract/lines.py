"""Paragraph text from the pieces of one block: where a `<br>` ends a line, and final typesetting.

A separate module because the rule is subtle and self-contained: pasted text (CDT) is hard-wrapped at
~40 characters with single `<br>`s that must be joined, while VOA separates paragraphs with `<br><br>`
and interviews put each `嘉宾：…` turn on its own line.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString

from zhnews.text import HAN, clean_line

BR = "\x00"  # line-break marker inside a text buffer (never in real text: clean_line removes NUL)

# Lines narrower than this (Han characters count double, as they print) are lines on purpose (verse,
# headings, names, `【阅读警告】`, a letter's signature), not hard wraps: pasted text wraps at ~40 Han
# characters or ~70 Latin ones.
_WRAP_MIN_WIDTH = 50
# A line that starts a new item even after a single <br>: a label (`嘉宾：…`), a bullet or a number.
_LINE_START = re.compile(
    r"(?:[^\s，。：:]{1,8}[：:]|[•·*]|\d{1,2}[、.．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）])"
)
_SENTENCE_END = re.compile(r"[。！？!?…；;：:”」』）)]\s*$")
# A hard wrap falls mid-phrase: a letter, digit or Han character on both sides of the break. A line ending
# in a comma or a dash, or the next one opening with a bracket or a bullet, was broken on purpose (a list of
# headlines `… | 湖州池慎刚案限制旁听，`).
_WORD_END = re.compile(f"[\\w{HAN}]$")
_WORD_START = re.compile(f"^[\\w{HAN}]")
# ASCII angle brackets in Chinese text are a typist's title marks (《四川省实施<妇女权益保障法>办法》): the
# nested-title marks 〈〉 say the same without looking like a leftover HTML tag; a lone `<` becomes `＜`.
_ANGLED_HAN = re.compile(f"<([^<>]*[{HAN}][^<>]*)>")


# Pretty-printed HTML breaks its lines anywhere, and a browser shows a line break as a space: between
# Chinese characters, a gap no writer put there (`域名劫持\n   </strong>\n   。` read `域名劫持 。`).
_CJK = HAN + "\u3001-\u303f\uff01-\uff60"  # Han, CJK punctuation, full-width forms
_CJK_LINE_BREAKS = (
    re.compile(f"(?<=[{_CJK}])[^\\S\\n]*\\n\\s*(?=[{_CJK}])"),  # within a text: `账号\n   密码`
    re.compile(f"^\\s*\\n\\s*(?=[{_CJK}])"),  # opening a text, after an inline tag: `\n   。当你`
    re.compile(f"(?<=[{_CJK}])[^\\S\\n]*\\n\\s*$"),  # closing one, before a tag: `劫持\n   `
)


def join_cjk_line_breaks(soup: BeautifulSoup) -> None:
    """Drop the source's line breaks (and their indentation) that touch Chinese text, in every text of
    `soup` but preformatted ones; a break between Latin words stays a space."""
    for node in soup.find_all(string=_has_line_break):
        if type(node) is not NavigableString or node.find_parent("pre") is not None:
            continue  # comments, CDATA; preformatted text keeps its layout
        text = str(node)
        for pattern in _CJK_LINE_BREAKS:
            text = pattern.sub("", text)
        if text != node:
            node.replace_with(text)


def _has_line_break(text: str) -> bool:
    return "\n" in text


def typeset(raw: str) -> str:
    """Raw text as shown to the reader: one clean line, no ASCII `<` left to look like markup."""
    text = clean_line(raw)
    if "<" not in text:
        return text
    return _ANGLED_HAN.sub(r"〈\1〉", text).replace("<", "＜")


def _width(line: str) -> int:
    """Printed width: a Han character is as wide as two Latin ones."""
    return len(line) + len(_HAN_CHAR.findall(line))


_HAN_CHAR = re.compile(f"[{HAN}]")


def split_lines(parts: list[tuple[str, str]], has_br: bool) -> list[tuple[str, str]]:
    """(text, html) paragraphs from one block's pieces, cut at its <br>s where they end a line of meaning.

    Two or more <br> in a row always make a new paragraph (VOA). A single <br> does too, unless it is a
    hard wrap: the line before is wide (pasted text in CDT cut at ~40 characters) and the break falls
    mid-phrase (word characters on both sides: not after a comma, a sentence end or before a bullet),
    and the next line does not start an item (`嘉宾：…`, `1、…`, `•`). Wrapped lines are joined — directly
    between Chinese characters, with a space between Latin words.
    """
    if not has_br:
        texts, htmls = zip(*parts, strict=True)
        text = typeset("".join(texts))
        return [(text, "".join(htmls).strip())] if text else []
    # Lines: [text pieces, html pieces, number of <br> before the next line].
    lines: list[list] = [[[], [], 0]]
    for t, h in parts:
        cur = lines[-1]
        if t == BR:
            if "".join(cur[0]).strip():
                lines.append([[], [], 0])
                cur[2] = 1
            elif len(lines) > 1:
                lines[-2][2] += 1
            continue
        if h.startswith("</") and not "".join(cur[0]).strip() and len(lines) > 1:
            lines[-2][1].append(h)  # a closing tag right after a <br> closes the previous line
            continue
        cur[0].append(t)
        cur[1].append(h)
    out: list[tuple[str, str]] = []
    prev_breaks = 0
    prev_line = ""
    for pieces, html_pieces, breaks in lines:
        text, html = typeset("".join(pieces)), "".join(html_pieces).strip()
        if not text:
            prev_breaks = max(prev_breaks, breaks)
            continue
        wrapped = (  # a hard wrap: a long line cut mid-phrase, continued on the next line
            prev_breaks < 2
            and _width(prev_line) >= _WRAP_MIN_WIDTH
            and _WORD_END.search(prev_line) is not None
            and _WORD_START.match(text) is not None
            and not _LINE_START.match(text)
            and not (prev_line[-1].isascii() and text[0].isupper())  # `…congress` / `Bogotá`: a new line
        )
        if out and wrapped:
            last_text, last_html = out[-1]
            joiner = " " if last_text[-1].isascii() and text[0].isascii() else ""
            out[-1] = (last_text + joiner + text, f"{last_html}<br>{html}")
        else:
            out.append((text, html))
        prev_breaks, prev_line = breaks, text
    return out
