"""HTML (.html, .htm): the main text of a page as Markdown-style text, with selectolax (lexbor).

1. Scripts, styles, navigation, headers, footers, asides and forms are dropped, and so is every element
   whose class, id or role names boilerplate (menu, breadcrumb, share, copyright, prev/next …).
2. The content root is ``<article>``, else ``<main>``, else ``<body>``; in a page with neither (CMS
   "div soup") link-dense blocks are dropped too (menus and lists of links: at least half their text
   inside ``<a>``, under 300 characters).
3. The root is walked in order: ``h1``-``h6`` become ``#`` headings (sections), ``li`` a ``- item`` line,
   ``tr`` one line with cells joined by `` | ``, every other block a paragraph. A page with no ``<h1>``
   gets its ``<title>`` (less a trailing " - Site name") as the top heading.

Chosen over trafilatura by measurement on a page with a menu, breadcrumb, sidebar, share bar, prev/next
links and footer (README, "Documents"): trafilatura's default output lost the headings and the list
items, and its recall mode lost the table.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .decode import decode
from .extracted import Extracted, ExtractError

_DROP = ("script, style, noscript, template, svg, iframe, nav, header, footer, aside, form, button, select, "
         "input, textarea, object, embed")
_BOILER = re.compile(r"(^|[-_\s])(nav|navbar|menu|breadcrumbs?|crumbs?|position|location|cookie|banner|footer|"
                     r"foot|header|sidebar|leftbar|related|share|social|comments?|advert|ads?|popup|modal|"
                     r"subscribe|toolbar|pagination|pager|prevnext|prev|next|copyright|search)([-_\s]|$)", re.I)
_TITLE_SEP = re.compile(r"\s+[-|_–—]\s+|_|\|")
_BLOCK = {"p", "div", "section", "article", "main", "blockquote", "pre", "figure", "figcaption", "dl", "dt", "dd",
          "address", "details", "summary", "center", "hr", "li", "tr", "body", "html"}
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def extract_html(path: Path) -> Extracted:
    """The main text of an HTML file. Raises ExtractError when it has none."""
    raw = path.read_bytes()
    decoded = decode(raw)
    if decoded is None:
        raise ExtractError("it is binary or in an encoding that cannot be detected")
    text = html_text(decoded[0])
    if not text.strip():
        raise ExtractError("the page has no main text")
    return Extracted(text=text, format="html", extractor="selectolax")


def html_text(html: str) -> str:
    """The main text of an HTML page, Markdown-style (see the module's description)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = _TITLE_SEP.split(title_node.text(strip=True))[0].strip() if title_node is not None else ""
    for node in tree.css(_DROP):
        node.decompose()
    for node in tree.css("[class], [id], [role]"):
        attrs = " ".join(filter(None, (node.attributes.get("class"), node.attributes.get("id"),
                                       node.attributes.get("role"))))
        if _BOILER.search(attrs) and node.tag not in ("body", "html", "main", "article"):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main")
    if root is None:
        root = tree.body or tree.root
        if root is None:
            return ""
        for node in root.css("div, ul, ol, p, table, section, span, dl"):
            text = _inline(node)
            if text and len(text) < 300:
                linked = sum(len(_inline(a)) for a in node.css("a"))
                if linked >= 0.5 * len(text.replace(" ", "")):
                    node.decompose()
    out: list[str] = []
    heads: set[int] = set()
    if title and root.css_first("h1") is None:
        match = next((n for n in root.css("div, p, span, strong, td, h2") if _inline(n) == title), None)
        if match is not None:
            heads.add(match.mem_id)
        else:
            out.extend(["# " + title, ""])
    _blocks(root, out, heads)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return _CONTROL.sub("", text) + "\n" if text else ""


def _inline(node: Any) -> str:
    return " ".join(node.text(separator=" ", strip=False).split())


def _blocks(node: Any, out: list[str], heads: set[int]) -> None:
    """Depth-first walk; inline runs are gathered into one line until a block boundary."""
    buf: list[str] = []

    def flush() -> None:
        t = " ".join("".join(buf).split())
        buf.clear()
        if t:
            out.extend(["", t])

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            buf.append(child.text_content or "")
        elif child.mem_id in heads:
            flush()
            out.extend(["", "# " + _inline(child), ""])
        elif tag and len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            flush()
            t = _inline(child)
            if t:
                out.extend(["", "#" * int(tag[1]) + " " + t, ""])
        elif tag in ("ul", "ol"):
            flush()
            out.append("")
            for li in child.css("li"):
                t = _inline(li)
                if t:
                    out.append("- " + t)
            out.append("")
        elif tag == "table":
            flush()
            out.append("")
            for tr in child.css("tr"):
                cells = [_inline(td).replace("|", "/") for td in tr.iter() if td.tag in ("td", "th")]
                if any(cells):
                    out.append(" | ".join(cells))
            out.append("")
        elif tag == "br":
            flush()
        elif tag in _BLOCK:
            flush()
            _blocks(child, out, heads)
        elif tag is not None and not tag.startswith("-"):  # inline element (a, b, span, em, sup …)
            buf.append(child.text(separator="", strip=False))
    flush()
