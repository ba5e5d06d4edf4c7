"""The source preview: a cited document with line numbers, scrolled to the passage, its span highlighted.

:class:`SourceView` uses Textual's line API: the document is wrapped once per width into rows, and only
the rows on screen are rendered, so a long document opens at once.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from .. import present
from ..records import Citation
from .colors import readable
from .text import literal
from .wrap import line_ranges


def copy_citation(app: App[int], citation: Citation) -> None:
    """Copy a cited passage and its reference (file, section, lines, pages) to the clipboard, and say so."""
    app.copy_to_clipboard(present.reference(citation))
    p = citation.passage
    app.notify(f"[{citation.rank}] {literal(present.place(p))}", title="Copied passage and reference", markup=False)


CONTEXT_ROWS = 2
"""Rows shown above the passage when it is scrolled into view."""


class SourceView(ScrollView, can_focus=True):
    """A document with numbered lines; ``span`` (offsets into it) is highlighted and scrolled to."""

    COMPONENT_CLASSES = {"source--gutter", "source--span", "source--span-gutter"}
    BINDINGS = [Binding("c", "copy", "Copy", show=False)]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown = ""
        self.span = (0, 0)
        self.span_lines = (0, 0)
        """First and last line (0-based) of the span."""
        self.rows: list[tuple[int | None, Text]] = []
        """Wrapped rows: the 1-based line number on a line's first row (else None), and the text."""
        self.span_rows = (0, 0)
        """First and last row holding highlighted characters."""
        self._row_of_line: list[int] = []
        self._width = -1
        self._number_width = 1
        self._scroll_pending = False

    def load(self, source: str, start: int, end: int) -> None:
        """Show ``source`` with ``source[start:end]`` highlighted, scrolled to it."""
        self.shown = literal(source)
        self.span = (start, end)
        first = self.shown.count("\n", 0, start)
        self.span_lines = (first, self.shown.count("\n", 0, max(start, end - 1)))
        self._width = -1
        self._scroll_pending = True
        self._layout_rows()

    @property
    def highlighted(self) -> str:
        """The highlighted characters, as shown."""
        return self.shown[self.span[0] : self.span[1]]

    def on_resize(self, event: Resize) -> None:
        self._layout_rows()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.is_mounted:  # the highlight and gutter colours come from the stylesheet (theme changes)
            self._width = -1
            self.call_after_refresh(self._layout_rows)

    def _layout_rows(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return
        self._width = width
        body = Text(self.shown, end="")
        background = self.background_colors[1]
        body.stylize(readable(self.get_component_rich_style("source--span", partial=True), background), *self.span)
        lines = body.split("\n", allow_blank=True)
        number_width = len(str(len(lines)))
        start, end = self.span
        marked: list[int] = []
        self.rows, self._row_of_line = [], []
        offset = 0
        for n, line in enumerate(lines):
            self._row_of_line.append(len(self.rows))
            for i, (a, b) in enumerate(line_ranges(line.plain, max(2, width - number_width - 1))):
                if offset + a < end and offset + b > start:
                    marked.append(len(self.rows))
                self.rows.append((n + 1 if i == 0 else None, line[a:b]))
            offset += len(line.plain) + 1
        first_line_row = self._row_of_line[self.span_lines[0]]
        self.span_rows = (marked[0], marked[-1]) if marked else (first_line_row, first_line_row)
        self._number_width = number_width
        self.virtual_size = Size(width, len(self.rows))
        self.refresh()
        if self._scroll_pending:
            self._scroll_pending = False
            self.call_after_refresh(self.scroll_to_span)

    def action_copy(self) -> None:
        """Copy the previewed citation with its reference (as ``c`` on a citation does)."""
        pane = self.parent
        citation = pane.citation if isinstance(pane, SourcePane) else None
        if citation is not None:
            copy_citation(self.app, citation)

    def line_row(self, line: int) -> int:
        """The row where 1-based line ``line`` begins."""
        return self._row_of_line[line - 1]

    def scroll_to_span(self) -> None:
        self.scroll_to(y=max(0, self.span_rows[0] - CONTEXT_ROWS), animate=False)

    def row_text(self, row: int) -> Text:
        """Row ``row`` as shown, gutter included."""
        number, piece = self.rows[row]
        marked = self.span_rows[0] <= row <= self.span_rows[1]
        gutter = readable(self.get_component_rich_style("source--span-gutter" if marked else "source--gutter",
                                                        partial=True), self.background_colors[1])
        out = Text(end="")
        out.append(f"{number:>{self._number_width}} " if number else " " * (self._number_width + 1), gutter)
        out.append_text(piece)
        return out

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self.rows):
            return Strip.blank(width, base)
        segments = list(self.row_text(row).render(self.app.console, end=""))
        strip = Strip(Segment.apply_style(segments, base))
        return strip.crop_extend(scroll_x, scroll_x + width, base)


class SourcePane(Vertical):
    """The preview of the selected citation's document. Escape returns to the conversation."""

    def __init__(self) -> None:
        super().__init__(id="source")
        self.citation: Citation | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="source-title", markup=False)
        yield SourceView(id="source-view")

    @property
    def view(self) -> SourceView:
        return self.query_one(SourceView)

    def show(self, citation: Citation, source: str) -> None:
        """Replace the preview with ``citation``'s document, scrolled to its passage."""
        self.citation = citation
        p = citation.passage
        title = Text()
        title.append(f"[{citation.rank}] ", style="bold")
        title.append(literal(p.title), style="bold")
        title.append(f"\n{literal(present.place(p))} · c copies · esc to go back")
        self.query_one("#source-title", Static).update(title)
        self.view.load(source, p.start, p.end)
