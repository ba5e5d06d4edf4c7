"""Line wrapping that suits mixed Chinese and English text, and a widget that uses it.

Textual and Rich wrap at spaces only, so a run of Chinese (which has none) moves whole to the next line
and leaves the previous one half empty. Here a line may break between any two CJK characters, English
words stay whole (unless longer than the line), and closing punctuation such as ，。） never starts a line.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

_CJK = "\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
_OPEN = "（［【「『《〈“‘"
_CLOSE = "，。、；：！？）］】」』》〉”’…％"
# a no-break space (U+00A0) joins words: "lines 7–9" stays on one line
_TOKEN = re.compile(rf"\n|[^\S\n\u00a0]+|[{_OPEN}]*(?:[{_CJK}]|(?:[^\s{_CJK}]|\u00a0)+)[{_CLOSE}]*")


def _fold(plain: str, start: int, end: int, width: int) -> int:
    """The largest cut in ``plain[start:end]`` whose first part fits in ``width`` cells (at least 1 char)."""
    used = 0
    for i in range(start, end):
        used += cell_len(plain[i])
        if used > width:
            return max(i, start + 1)
    return end


def line_ranges(plain: str, width: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each wrapped line of ``plain`` in ``width`` cells; break spaces are dropped."""
    width = max(width, 2)
    lines: list[tuple[int, int]] = []
    start = col = 0
    for match in _TOKEN.finditer(plain):
        s, e = match.span()
        token = match.group()
        if token == "\n":
            lines.append((start, s))
            start, col = e, 0
            continue
        w = cell_len(token)
        if token.isspace():
            if col + w > width:  # the break falls in this space: drop it
                lines.append((start, s))
                start, col = e, 0
            else:
                col += w
            continue
        if col + w <= width:
            col += w
            continue
        if col > 0:
            end = s
            while end > start and plain[end - 1] in " \t":
                end -= 1
            lines.append((start, end))
            start = s
        while cell_len(plain[start:e]) > width:
            cut = _fold(plain, start, e, width)
            lines.append((start, cut))
            start = cut
        col = cell_len(plain[start:e])
    lines.append((start, len(plain)))
    return lines


def wrap(text: Text, width: int) -> list[Text]:
    """``text`` wrapped into lines of at most ``width`` cells, styles kept."""
    return [text[s:e] for s, e in line_ranges(text.plain, width)]


class WrappedText(Widget):
    """A widget whose text is wrapped by :func:`wrap` at its own width; subclasses implement ``text``."""


    _wrapped: tuple[int, list[Text]] | None = None

    def text(self, width: int) -> Text:
        """The unwrapped text for a content width of ``width`` cells."""
        return Text()

    def lines(self, width: int) -> list[Text]:
        """The wrapped lines (kept until the width or the styles change: layout asks often)."""
        if self._wrapped is None or self._wrapped[0] != width:
            self._wrapped = (width, wrap(self.text(width), width))
        return self._wrapped[1]

    def notify_style_update(self) -> None:
        self._wrapped = None
        super().notify_style_update()

    def render(self) -> Text:
        return Text("\n", end="").join(self.lines(self.content_size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))
