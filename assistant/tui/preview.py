"""The source preview's side of the app: open a citation's document, close it, toggle it.

A base class of :class:`~.app.ChatApp`; the document is read in a thread worker and shown by the
handler of :class:`~.messages.SourceLoaded`, on the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from .conversation import Turn
from .messages import CitationSelected, SourceLoaded
from .source import SourcePane
from .text import describe_error
from .widgets import CitationView

if TYPE_CHECKING:
    from ..records import Citation


class PreviewActions(App[int]):
    """Opening, closing and toggling the source preview."""

    assistant: Any
    turns: list[Turn]
    _opened_from: CitationView | None = None

    def on_citation_selected(self, message: CitationSelected) -> None:
        if isinstance(message.view, CitationView):
            self._opened_from = message.view
        self._read_source(message.citation)

    @work(thread=True, exclusive=True, group="source", exit_on_error=False)
    def _read_source(self, citation: Citation) -> None:
        try:
            assert self.assistant is not None
            text = self.assistant.source(citation.passage.doc)
        except Exception as exc:  # noqa: BLE001
            title, detail = describe_error(exc)
            self.call_from_thread(self.notify, detail, title=title, severity="error", markup=False)
            return
        self.post_message(SourceLoaded(citation, text))

    def on_source_loaded(self, message: SourceLoaded) -> None:
        self.query_one("#body").add_class("-source")
        self.query_one(SourcePane).show(message.citation, message.text)
        self.query_one("#source-view").focus()
        self.refresh_bindings()

    @property
    def source_open(self) -> bool:
        return self.query_one("#body").has_class("-source")

    def _close_source(self) -> None:
        if not self.source_open:
            return
        self.query_one("#body").remove_class("-source")
        back = self._opened_from
        (back if back is not None and back.is_attached else self.query_one("#question")).focus()
        self.refresh_bindings()

    def action_toggle_source(self) -> None:
        if self.source_open:
            self._close_source()
        elif self.query_one(SourcePane).citation is not None:
            self.query_one("#body").add_class("-source")
            self.query_one("#source-view").focus()
            self.refresh_bindings()
        else:
            answered = [t.answer for t in self.turns if t.answer is not None and t.answer.citations]
            if answered:
                self._read_source(answered[-1].citations[0])
            else:
                self.notify("Ask a question first, then pick one of its citations.", title="No source yet")
