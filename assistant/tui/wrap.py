"""Line wrapping that suits mixed Chinese and English text (:func:`assistant.present.line_ranges`, which
the command line shares), and a widget that uses it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from .. import present


def line_ranges(plain: str, width: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each wrapped line of ``plain`` in ``width`` cells (:func:`assistant.present.line_ranges`
    measured with rich's cell widths); break spaces are dropped."""
    return present.line_ranges(plain, width, cell_len)


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
