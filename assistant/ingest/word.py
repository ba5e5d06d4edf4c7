"""Word (.docx): body paragraphs and tables in document order, as Markdown-style text, with python-docx.

Headings (the ``Title`` style, ``Heading N`` / ``标题 N`` styles, or an outline level) become ``#``
lines, so that the structure finder makes them sections; list paragraphs (numbering on the paragraph
or its style, or a ``List …`` style) become ``- item`` lines (indented two spaces per level); each
table row becomes one line, its cells joined by `` | `` (a merged cell once).

The body XML is walked rather than python-docx's ``Paragraph.text``, which skips content controls
(``w:sdt``: tables of contents, form templates) and tracked insertions (``w:ins``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from .extracted import Extracted, ExtractError

MAX_UNPACKED_BYTES = 256 << 20
"""A .docx whose parts unpack to more than this is refused (a zip bomb)."""

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def extract_docx(path: Path) -> Extracted:
    """The text of a Word document. Raises ExtractError when it is not a readable .docx."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ExtractError("it is damaged or not a Word (.docx) document") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ExtractError(f"it unpacks to {unpacked >> 20} MB, more than the {MAX_UNPACKED_BYTES >> 20} MB limit")
    try:
        text = _docx_text_of(path)
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds on a damaged file
        raise ExtractError("it is damaged or not a Word (.docx) document") from exc
    if not text.strip():
        raise ExtractError("the document has no text")
    return Extracted(text=text, format="docx", extractor="python-docx")


def _docx_text_of(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    out: list[str] = []

    def para(el: Any, parent: Any) -> None:
        p = Paragraph(el, parent)
        text = " ".join(_text(el).split())
        if not text:
            return
        level = _heading_level(p)
        if level is not None:
            out.extend(["", "#" * level + " " + text, ""])
            return
        depth = _list_level(p)
        if depth is not None:
            out.append("  " * depth + "- " + text)
            return
        if out and out[-1]:
            out.append("")
        out.append(text)

    def table(el: Any, parent: Any) -> None:
        out.append("")
        for row in Table(el, parent).rows:
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                    continue
                seen.add(id(cell._tc))
                cells.append(" ".join(_text(cell._tc).split()).replace("|", "/"))
            if any(cells):
                out.append(" | ".join(cells))
        out.append("")

    def blocks(container: Any, parent: Any) -> None:
        for el in container.iterchildren():
            if el.tag == _W + "p":
                para(el, parent)
            elif el.tag == _W + "tbl":
                table(el, parent)
            elif el.tag == _W + "sdt":
                content = el.find(_W + "sdtContent")
                if content is not None:
                    blocks(content, parent)

    blocks(document.element.body, document._body)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return _CONTROL.sub("", text) + "\n"


def _text(el: Any) -> str:
    """All text under a ``w:p`` or ``w:tc`` in order (runs in hyperlinks, fields, insertions, text boxes;
    ``w:tab`` as a tab, ``w:br`` as a space), without deleted text, field codes, or the fallback copy
    of a text box."""
    parts: list[str] = []
    for node in el.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if _in_fallback(node, el):
            continue
        if node.tag == _W + "t":
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == _W + "tab" else " ")
    return "".join(parts)


def _in_fallback(node: Any, stop: Any) -> bool:
    n = node.getparent()
    while n is not None and n is not stop:
        if n.tag == _MC + "Fallback":
            return True
        n = n.getparent()
    return False


def _heading_level(p: Any) -> int | None:
    name = (p.style.name or "") if p.style is not None else ""
    if name == "Title":
        return 1
    m = re.match(r"(?i)heading\s*(\d)", name) or re.match(r"标题\s*(\d)", name)
    if m:
        return max(1, min(int(m.group(1)), 6))
    ppr = p._p.pPr
    lvl = ppr.find(_W + "outlineLvl") if ppr is not None else None
    if lvl is None and p.style is not None and p.style.element.pPr is not None:
        lvl = p.style.element.pPr.find(_W + "outlineLvl")
    if lvl is not None:
        try:
            v = int(lvl.get(_W + "val", "9"))
        except ValueError:
            return None
        return min(v + 1, 6) if 0 <= v < 9 else None
    return None


def _list_level(p: Any) -> int | None:
    ppr = p._p.pPr
    num = ppr.numPr if ppr is not None else None
    if num is not None and num.numId is not None and num.numId.val != 0:
        return int(num.ilvl.val) if num.ilvl is not None else 0
    style = p.style
    hops = 0
    while style is not None and hops < 20:  # numbering can come from the style or the styles it is based on
        spr = style.element.pPr
        if spr is not None and spr.numPr is not None and spr.numPr.numId is not None:
            ilvl = spr.numPr.ilvl
            return int(ilvl.val) if ilvl is not None else 0
        style = style.base_style
        hops += 1
    name = (p.style.name or "") if p.style is not None else ""
    if name.startswith("List"):
        m = re.search(r"(\d)$", name)
        return int(m.group(1)) - 1 if m else 0
    return None
