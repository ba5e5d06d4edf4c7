"""The chat's key actions, its help rows and its command palette entries (a base class of the app)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen

from . import conversation
from .conversation import Turn
from .preview import PreviewActions
from .screens import HelpScreen, KScreen
from .source import SourcePane
from .widgets import AnswerCard, Notice

MODES = ("hybrid", "dense", "sparse")
MODE_HELP = {
    "hybrid": "meaning and keywords together, across languages (the default)",
    "dense": "meaning only (embeddings)",
    "sparse": "keywords only (BM25, expanded into the other language)",
}
WELCOME = ("Ask about your documents", "Type a question in Chinese or English (or both) and press enter. "
           "Each answer cites the passages it comes from: click one, or tab to it and press enter, to read "
           "it in its document. Press f1 for all keys.")
EXTRA_KEYS = [
    ("enter", "Send the question; on a citation, open its source"),
    ("↑ / ↓", "Earlier questions in the question box; on a citation, the previous / next one"),
    ("tab / shift+tab", "Move between the citations and the question box"),
    ("esc", "Close the source preview, or cancel the search"),
    ("pgup / pgdn", "Scroll the conversation (or the focused source preview)"),
    ("ctrl+p", "Command palette: every action by name"),
]


class ChatActions(PreviewActions):
    """Actions behind the keys and the command palette; :class:`~.app.ChatApp` supplies the state."""

    turns: list[Turn]
    mode: str
    k: int
    ready: bool
    failed: bool
    export_dir: Path | None
    last_export: Path | None = None
    _cards: dict[int, AnswerCard]
    _queue: deque[Turn]
    _current: Turn | None

    # provided by ChatApp
    def cancel_searches(self) -> None:
        raise NotImplementedError

    def _update_topbar(self, status: str = "") -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ actions

    async def action_new_conversation(self) -> None:
        """Forget the conversation (questions, answers and follow-up context) and start again."""
        self.cancel_searches()
        self.turns.clear()
        self._cards.clear()
        view = self.query_one("#conversation", VerticalScroll)
        await view.query(AnswerCard).remove()
        if not view.query(".welcome"):
            await view.mount(Notice(*WELCOME, classes="welcome"))
        self._close_source()
        self.query_one(SourcePane).citation = None
        self.query_one("#question").focus()

    def action_export(self) -> None:
        if not self.turns:
            self.notify("Ask a question first.", title="Nothing to export", severity="warning")
            return
        directory = self.export_dir if self.export_dir is not None else Path.cwd()
        try:
            path = conversation.export(self.turns, directory)
        except OSError as exc:
            self.notify(f"{exc.strerror or exc} ({directory})", title="Export failed", severity="error",
                        markup=False)
            return
        self.last_export = path
        n = len(self.turns)
        self.notify(f"{n} question{'s' if n != 1 else ''} with citations saved to {path}", title="Exported",
                    markup=False)

    def action_cycle_mode(self) -> None:
        self.set_mode(MODES[(MODES.index(self.mode) + 1) % len(MODES)] if self.mode in MODES else MODES[0])

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._update_topbar()
        self.notify(f"{mode}: {MODE_HELP[mode]}", title="Retrieval mode")

    def action_set_k(self) -> None:
        self.push_screen(KScreen(self.k), self._apply_k)

    def _apply_k(self, k: int | None) -> None:
        if k:
            self.k = k
            self._update_topbar()
            self.notify(f"Each answer now cites up to {k} passage{'s' if k != 1 else ''}.", title="k")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_rows()))

    def action_go_back(self) -> None:
        if self.source_open:
            self._close_source()
        elif self._current is not None or self._queue:
            self.cancel_searches()
            self.notify("Search cancelled.")

    def action_page(self, direction: int) -> None:
        view = self.query_one("#conversation", VerticalScroll)
        (view.scroll_page_down if direction > 0 else view.scroll_page_up)(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go_back":  # shown in the footer only when there is something to go back from
            return self.source_open or self._current is not None or bool(self._queue)
        return True

    # ------------------------------------------------------------------ help and palette

    def key_rows(self) -> list[tuple[str, str]]:
        rows = []
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.id != "back":
                rows.append((binding.key.replace(",", " / "), binding.tooltip or binding.description))
        return rows + EXTRA_KEYS

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New conversation", "Clear the conversation and start again (ctrl+n)",
                            self.action_new_conversation)
        yield SystemCommand("Export conversation", "Save the questions, answers and citations (ctrl+s)",
                            self.action_export)
        for mode in MODES:
            yield SystemCommand(f"Retrieval mode: {mode}", f"{MODE_HELP[mode]} (ctrl+r cycles)",
                                partial(self.set_mode, mode))
        yield SystemCommand("Change k", f"Passages per answer, now {self.k} (ctrl+t)", self.action_set_k)
        yield SystemCommand("Toggle source preview", "Show or hide the cited document (ctrl+o)",
                            self.action_toggle_source)
        yield SystemCommand("Help", "Every key of the chat (f1)", self.action_help)
        if self.failed:
            yield SystemCommand("Retry loading the index", "After fixing the documents or the index",
                                self.action_retry_index)

    def action_retry_index(self) -> None:
        raise NotImplementedError
