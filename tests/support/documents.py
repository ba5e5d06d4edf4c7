"""Real documents made by real libraries, for the tests: PDFs with reportlab (Chinese in its built-in CID
font STSong-Light, English, two columns, running headers, image-only pages), Word files with
python-docx, HTML pages with boilerplate, and damaged or hostile PDFs written byte by byte."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from pathlib import Path

from assistant.ingest.normalize import normalize

JOURNAL_HEADER = "肿瘤药学 2024 年 2 月第 14 卷第 1 期"
CJK_FONT = "STSong-Light"


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _styles(size: float = 9.5) -> tuple[object, object, object, object]:
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=size, leading=size * 1.55, wordWrap="CJK",
                          spaceAfter=size * 0.5, firstLineIndent=2 * size)
    head = ParagraphStyle("head", fontName=CJK_FONT, fontSize=size + 1.5, leading=(size + 1.5) * 1.5,
                          spaceBefore=size * 0.6, spaceAfter=size * 0.4)
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=16, leading=24, spaceAfter=10)
    small = ParagraphStyle("caption", fontName=CJK_FONT, fontSize=7.5, leading=11, wordWrap="CJK", spaceAfter=4)
    return body, head, title, small


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def two_column_pdf(path: Path, blocks: Sequence[tuple[str, str]], header: str = JOURNAL_HEADER,
                   first_page: int = 1, title: str | None = None) -> None:
    """A journal-style A4 PDF: an optional full-width title on page 1, then two columns; every page has
    the running ``header`` at the top left and its page number (from ``first_page``) at the top right.

    ``blocks`` are ``(kind, text)`` with kind ``heading``, ``para`` or ``caption`` (set small, as journals
    set figure and table captions and notes).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, NextPageTemplate, PageTemplate, Paragraph

    _fonts()
    width, height = A4
    lm, rm, tm, bm, gutter = 18 * mm, 18 * mm, 24 * mm, 20 * mm, 8 * mm
    colw = (width - lm - rm - gutter) / 2
    title_h = 30 * mm if title else 0

    def furniture(c: object, doc: object) -> None:
        n = first_page + doc.page - 1  # type: ignore[attr-defined]
        c.saveState()  # type: ignore[attr-defined]
        c.setFont(CJK_FONT, 8.5)  # type: ignore[attr-defined]
        c.drawString(lm, height - 14 * mm, header)  # type: ignore[attr-defined]
        c.drawRightString(width - rm, height - 14 * mm, f"· {n} ·")  # type: ignore[attr-defined]
        c.restoreState()  # type: ignore[attr-defined]

    frames_first = [Frame(lm, bm, colw, height - tm - bm - title_h, id="l1"),
                    Frame(lm + colw + gutter, bm, colw, height - tm - bm - title_h, id="r1")]
    if title:
        frames_first.insert(0, Frame(lm, height - tm - title_h, width - lm - rm, title_h, id="title"))
    first = PageTemplate("first", frames_first, onPage=furniture)
    later = PageTemplate("later", [Frame(lm, bm, colw, height - tm - bm, id="l"),
                                   Frame(lm + colw + gutter, bm, colw, height - tm - bm, id="r")], onPage=furniture)
    doc = BaseDocTemplate(str(path), pagesize=A4, pageTemplates=[first, later])
    body, head, title_style, small = _styles()
    story: list[object] = []
    if title:
        story += [Paragraph(_escape(title), title_style), FrameBreak()]
    story.append(NextPageTemplate("later"))
    for kind, text in blocks:
        story.append(Paragraph(_escape(text), {"heading": head, "caption": small}.get(kind, body)))
    doc.build(story)


def blocks_of(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The title and the ``(kind, text)`` blocks of a text document, as the normalizer finds them."""
    norm = normalize(text)
    blocks = []
    for b in norm.blocks:
        block = norm.text[b.start : b.end]
        kind = "heading" if b.kind in ("heading", "label") else "para"
        if b.kind == "caption" or block.startswith(("图", "表", "Fig.", "Tab.", "Note:", "注：")):
            kind = "caption"
        blocks.append((kind, block))
    title = blocks[0][1] if blocks else ""
    return title, blocks[1:]


def review_pdf(seed: Path, path: Path) -> Path:
    """The seed review laid out as a two-column journal PDF with its running header and page numbers."""
    title, blocks = blocks_of(seed.read_text(encoding="utf-8"))
    two_column_pdf(path, blocks, title=title, first_page=23)
    return path


def text_pdf(path: Path, pages: Sequence[Sequence[str]], header: str | None = None) -> None:
    """A one-column PDF, one list of lines per page (drawn with drawString, Chinese and English)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    for n, lines in enumerate(pages, 1):
        if header:
            c.setFont(CJK_FONT, 9)
            c.drawString(60, A4[1] - 40, f"{header} · {n}")
        c.setFont(CJK_FONT, 11)
        y = A4[1] - 80
        for line in lines:
            c.drawString(60, y, line)
            y -= 18
        c.showPage()
    c.save()


def glyph_lines(text: str, width: float, size: float = 10.5, gap: float = 1.0) -> list[str]:
    """``text`` cut into lines that fit ``width`` points when set by :func:`glyph_by_glyph_pdf`."""
    from reportlab.pdfbase import pdfmetrics

    _fonts()
    lines, cur, used = [], "", 0.0
    for ch in text:
        w = pdfmetrics.stringWidth(ch, CJK_FONT, size) + gap
        if cur and used + w > width:
            lines.append(cur)
            cur, used = "", 0.0
        cur += ch
        used += w
    return lines + ([cur] if cur else [])


def glyph_by_glyph_pdf(path: Path, pages: Sequence[Sequence[Sequence[str]]], header: str | None = None,
                       size: float = 10.5, gap: float = 1.0, whole_lines: Sequence[int] = ()) -> float:
    """Chinese set the way many typesetting systems write it: every glyph its own text object, placed on
    its own, letter-spaced by ``gap`` points, in STSong-Light (a font PDF files name but never embed).

    ``pages`` holds, per page, its columns (one or two), each a list of lines (see :func:`glyph_lines`);
    ``header`` is set glyph by glyph at the top left of every page, and the page number (``· n ·``) as one
    string at the top right. Pages listed in ``whole_lines`` (1-based) are set a line per text object
    instead. Returns the width of a column in points.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    _fonts()
    width, height = A4
    margin, gutter = 56.0, 24.0
    colw = (width - 2 * margin - gutter) / 2
    c = canvas.Canvas(str(path), pagesize=A4)

    def put(x: float, y: float, text: str, one: bool) -> None:
        if one:
            c.drawString(x, y, text)
            return
        for ch in text:
            c.drawString(x, y, ch)
            x += pdfmetrics.stringWidth(ch, CJK_FONT, size) + gap

    for n, columns in enumerate(pages, 1):
        one = n in whole_lines
        if header:
            c.setFont(CJK_FONT, 8.5)
            put(margin, height - 40, header, one)
            c.drawRightString(width - margin, height - 40, f"· {n} ·")
        c.setFont(CJK_FONT, size)
        for k, lines in enumerate(columns):
            y = height - 80
            for line in lines:
                put(margin + k * (colw + gutter), y, line, one)
                y -= size * 1.6
        c.showPage()
    c.save()
    return colw


JOURNAL_GLYPHS = (
    "肿瘤药学 2024 年第 14 卷",
    ["华法林是维生素K拮抗剂，治疗期间应定期监测国际标准化比值（INR），目标范围通常为2.0至3.0。",
     "地舒单抗是一种靶向RANKL的全人源单克隆抗体，推荐剂量为120 mg，每4周皮下注射一次。",
     "肾功能不全患者使用唑来膦酸前应评估肌酐清除率，必要时减量。",
     "来曲唑与阿那曲唑均为第三代芳香化酶抑制剂，用于绝经后激素受体阳性乳腺癌的辅助治疗。"],
    ["二甲双胍是2型糖尿病的一线治疗药物，估算肾小球滤过率低于30时禁用。",
     "阿司匹林用于心血管疾病二级预防的推荐剂量为每日75-100 mg。",
     "氟维司群是选择性雌激素受体下调剂，首月第1、15天各给药500 mg。"],
    ["帕博西尼联合芳香化酶抑制剂可延长无进展生存期，常见不良反应为中性粒细胞减少。",
     "他莫昔芬可增加子宫内膜癌风险，用药期间出现异常阴道出血应及时检查。"],
)
"""The running header and the paragraphs of pages 1, 2 and 3 of :func:`journal_glyph_pdf`."""
GLYPH_COLUMN = 241.6
"""Width of a column of :func:`glyph_by_glyph_pdf`, in points."""


def journal_glyph_pages() -> tuple[list[list[list[str]]], list[list[str]]]:
    """The pages of :func:`journal_glyph_pdf` (columns of lines) and the lines of each page's body."""
    _, first, second, third = JOURNAL_GLYPHS

    def lines(paras: list[str]) -> list[str]:
        return [ln for p in paras for ln in glyph_lines(p, GLYPH_COLUMN)]

    left, right = lines(first[:2]), lines(first[2:])
    return [[left, right], [lines(second)], [lines(third)]], [left + right, lines(second), lines(third)]


def journal_glyph_pdf(path: Path) -> None:
    """Three journal pages with a running header, in STSong-Light: page 1 two columns and page 2 one,
    set one glyph at a time; page 3 set a line at a time."""
    glyph_by_glyph_pdf(path, journal_glyph_pages()[0], header=JOURNAL_GLYPHS[0], whole_lines=[3])


def text_image(lines: Sequence[str], size: int = 40, width: int = 1400) -> object:
    """A white greyscale page image (A4 proportions, or taller if the lines need it) with ``lines`` of
    black Chinese/English text (Noto Sans SC) from the top."""
    import pylopdf_fonts_zh_cn
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(pylopdf_fonts_zh_cn.sans_path()), size)
    lead = int(size * 1.8)
    img = Image.new("L", (width, max(lead * len(lines) + 2 * size, int(width * 1.414))), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((size, size + i * lead), line, font=font, fill=0)
    return img


def image_page_pdf(path: Path, pages: Sequence[object | Sequence[str]],
                   pagesize: tuple[float, float] | None = None) -> None:
    """A PDF whose pages are either an image (drawn over most of the page, no text layer) or lines of
    text (a text layer): give a PIL image or a list of lines per page. Pages are A4 unless ``pagesize``
    (points) says otherwise."""
    from reportlab.lib.pagesizes import A4 as PAGE
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _fonts()
    A4 = pagesize or PAGE  # noqa: N806 - the page size, A4 unless asked otherwise
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in pages:
        if isinstance(page, (list, tuple)):
            c.setFont(CJK_FONT, 11)
            y = A4[1] - 80
            for line in page:
                c.drawString(60, y, line)
                y -= 18
        else:
            buf = io.BytesIO()
            page.save(buf, "PNG")  # type: ignore[attr-defined]
            w, h = page.size  # type: ignore[attr-defined]
            draw_w = A4[0]
            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, A4[1] - draw_w * h / w, width=draw_w,
                        height=draw_w * h / w)
        c.showPage()
    c.save()


def encrypted_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="secret")
    c.setFont(CJK_FONT, 12)
    c.drawString(72, 700, "加密文件：需要密码才能打开。")
    c.showPage()
    c.save()


# ------------------------------------------------------------------------------------------- hand-made PDFs

def _assemble(objs: list[bytes]) -> bytes:
    """objs[i] is the body of object i+1; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _stream(data: bytes, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents "


def zero_page_pdf() -> bytes:
    """A well-formed PDF with an empty page tree."""
    return _assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>", _FONT])


def many_pages_pdf(n: int, text: bytes = b"page") -> bytes:
    """``n`` pages sharing one content stream: a small file with a huge page count."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", _FONT, _stream(b"BT /F1 12 Tf 72 700 Td (%s) Tj ET" % text)]
    kids = []
    for _ in range(n):
        kids.append(b"%d 0 R" % (len(objs) + 1))
        objs.append(_PAGE + b"4 0 R >>")
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), n)
    return _assemble(objs)


def flate_bomb_pdf(inflated: int) -> bytes:
    """One page whose content stream inflates to ``inflated`` bytes of text-showing operators."""
    unit = b"BT /F1 1 Tf 10 10 Td (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA) Tj ET\n"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", _FONT,
            _PAGE + b"5 0 R >>", _stream(unit * (inflated // len(unit)), flate=True)]
    return _assemble(objs)


# ------------------------------------------------------------------------------------------- Word and HTML

def guide_docx(path: Path) -> None:
    """A Word guideline: a title, numbered headings at two levels, a list, a table, English and Chinese."""
    import docx

    d = docx.Document()
    d.add_heading("社区获得性肺炎诊疗指南", level=0)
    d.add_paragraph("本指南适用于成人社区获得性肺炎（community-acquired pneumonia, CAP）的诊断与治疗。")
    d.add_heading("1 诊断", level=1)
    d.add_paragraph("CAP 的临床诊断标准包括：")
    items = ("社区发病；", "新近出现的咳嗽、咳痰或原有呼吸道症状加重；", "胸部影像学检查显示新出现的斑片状浸润影。")
    for item in items:
        d.add_paragraph(item, style="List Bullet")
    d.add_heading("1.1 严重程度评估", level=2)
    d.add_paragraph("推荐使用 CURB-65 评分，评分≥3 分者建议收住 ICU。")
    d.add_heading("2 治疗", level=1)
    d.add_paragraph("经验性抗菌治疗方案见表 1。")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("人群", "首选方案", "备选方案"), ("门诊、无基础疾病", "阿莫西林", "多西环素"),
                             ("ICU", "β-内酰胺类联合阿奇霉素", "β-内酰胺类联合呼吸喹诺酮类")]):
        for col, value in enumerate(row):
            table.cell(r, col).text = value
    d.add_heading("3 随访", level=1)
    d.add_paragraph("出院后 4-6 周复查胸部影像学。Follow-up chest imaging is recommended at 6 weeks.")
    d.save(str(path))


ARTICLE_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>地舒单抗用于骨转移患者的临床要点 - 某某医院药学部</title>
<style>body{font-family:SimSun} .nav li{display:inline}</style>
<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");})();</script>
</head><body>
<div id="menu"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/ks">科室介绍</a></li>
<li><a href="/zj">专家团队</a></li><li><a href="/xw">新闻中心</a></li></ul></div>
<div class="crumb">您现在的位置：<a href="/">首页</a> &gt; <a href="/xw">新闻中心</a> &gt; 药学科普</div>
<div class="wrap"><div class="left-side"><h3>热门文章</h3><ul><li><a href="/a1">冬季流感预防十问</a></li>
<li><a href="/a2">高血压患者用药误区</a></li></ul></div>
<div class="content-box">
<h1>地舒单抗用于骨转移患者的临床要点</h1>
<p>地舒单抗是一种靶向 RANKL 的全人源单克隆抗体，可抑制破骨细胞的形成和活化，用于预防实体瘤骨转移患者的骨相关事件。</p>
<h2>一、与唑来膦酸的比较</h2>
<p>三项Ⅲ期随机对照研究的汇总分析显示，地舒单抗较唑来膦酸将首次骨相关事件的发生时间延迟了 8.2 个月，风险降低 17%。</p>
<p>地舒单抗经皮下注射给药，不经肾脏代谢，肾功能不全患者无需调整剂量。</p>
<h2>二、用法用量</h2>
<ul><li>推荐剂量为 120 mg，每 4 周皮下注射一次。</li><li>治疗期间每日补充钙 500 mg 和维生素 D 400 IU。</li></ul>
<h2>三、不良反应</h2>
<table><tr><th>不良反应</th><th>发生率</th></tr><tr><td>低钙血症</td><td>9.6%</td></tr><tr><td>颌骨坏死</td><td>1.8%</td></tr></table>
<p>Hypocalcaemia is more frequent with denosumab than with zoledronic acid; check serum calcium before each dose.</p>
</div></div>
<div class="share">分享到：微信 微博 QQ空间</div>
<div class="pages"><a href="/p">上一篇：儿童退热药怎么选</a> <a href="/n">下一篇：冬季流感预防十问</a></div>
<div id="footer"><p>版权所有 © 2024 某某医院　电话：010-12345678</p><p>京ICP备12345678号</p></div>
<script>console.log("stats")</script>
</body></html>
"""
"""A hospital page: the article inside a menu, breadcrumb, sidebar, share bar, prev/next links, footer,
a script and a style."""
ARTICLE_BOILERPLATE = ("首页", "科室介绍", "您现在的位置", "热门文章", "冬季流感", "分享到", "上一篇", "版权所有",
                       "ICP", "_hmt", "stats", "font-family")
