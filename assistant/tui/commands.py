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

from ..present import plural
from . import conversation
from .conversation import Turn
from .history import History, export_folder
from .preview import PreviewActions
from .screens import ConfirmScreen, ConversationsScreen, FolderScreen, HelpScreen, KScreen, Opening
from .source import SourcePane
from .widgets import AnswerCard, Notice, QuestionInput, Styled

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
    ("↑ / ↓", "Earlier questions in the question box (also from earlier runs); on a citation, the previous / "
              "next one"),
    ("tab / shift+tab", "From the question box to the newest answer's [1], then through the citations"),
    ("c", "On a citation: copy the passage and its reference (file, section, lines, pages)"),
    ("esc", "Close the source preview, or cancel the search"),
    ("pgup / pgdn", "Scroll the conversation (or the focused source preview)"),
    ("ctrl+p", "Command palette: every action by name (also the theme)"),
]
VIEWING = ("Read-only", "A past conversation, as it was answered. ctrl+n starts a new conversation; ctrl+l opens "
           "another, or continues this one (enter on it).")


class ChatActions(PreviewActions):
    """Actions behind the keys and the command palette; :class:`~.app.ChatApp` supplies the state."""

    turns: list[Turn]
    mode: str
    k: int
    ready: bool
    failed: bool
    export_dir: Path | None
    last_export: Path | None = None
    store: History | None
    conversation_id: int | None
    read_only: bool
    show_details: bool
    _ticket: int
    _cards: dict[int, AnswerCard]
    _queue: deque[Turn]
    _current: Turn | None

    # provided by ChatApp
    def cancel_searches(self) -> None:
        raise NotImplementedError

    def _update_topbar(self, status: str = "") -> None:
        raise NotImplementedError

    def remember(self, key: str, value: str) -> None:
        raise NotImplementedError

    def _remembered(self, read: Any, default: Any, *args: Any) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ actions

    async def action_new_conversation(self) -> None:
        """Start a new conversation. The one on screen stays in the history (ctrl+l), so nothing is lost
        and nothing is asked; only when no history can be kept is the user asked first."""
        if self.turns and self.store is None and not self.read_only:
            self.push_screen(ConfirmScreen("New conversation", "No history can be kept here, so this "
                                           "conversation will be gone. Start a new one? (ctrl+s exports it first)"),
                             self._confirmed_new)
            return
        kept = bool(self.turns) and self.store is not None and not self.read_only
        await self._clear()
        if kept:
            self.notify("The previous conversation is kept: ctrl+l lists past conversations.",
                        title="New conversation")

    async def _confirmed_new(self, yes: bool | None) -> None:
        if yes:
            await self._clear()

    async def _clear(self, welcome: bool = True) -> None:
        """Forget the conversation on screen (questions, answers and follow-up context)."""
        self.cancel_searches()
        self.turns.clear()
        self._cards.clear()
        self.conversation_id = None
        self._set_read_only(False)
        view = self.query_one("#conversation", VerticalScroll)
        await view.query("AnswerCard, .viewing").remove()
        if welcome and not view.query(".welcome"):
            await view.mount(Notice(*WELCOME, classes="welcome"))
        self._close_source()
        self.query_one(SourcePane).citation = None
        self.query_one("#question").focus()

    def _set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        box = self.query_one("#question", QuestionInput)
        box.disabled = read_only
        box.placeholder = ("Read-only · ctrl+n new conversation · ctrl+l continue one" if read_only else
                           "Ask in Chinese or English · enter to send · ↑↓ earlier questions")

    def action_past_conversations(self) -> None:
        if self.store is None:
            self.notify("No history is kept here (see the warning when the chat opened).", title="No history",
                        severity="warning")
            return
        found = self._remembered(self.store.conversations, None)
        if found is not None:
            self.push_screen(ConversationsScreen(found), self._open_conversation)

    async def _open_conversation(self, chosen: Opening | None) -> None:
        if chosen is None or self.store is None:
            return
        how, cid = chosen
        stored = self._remembered(self.store.turns, None, cid)
        if stored is None:
            return
        await self._clear(welcome=False)
        view = self.query_one("#conversation", VerticalScroll)
        await view.query(".welcome").remove()
        if how == "view":
            self._set_read_only(True)
            await view.mount(Notice(*VIEWING, classes="viewing"))
        else:
            self.conversation_id = cid
        asked: list[str] = []
        for st in stored:
            self._ticket += 1
            turn = Turn(self._ticket, st.question, tuple(asked), st.k, st.mode, st.state, st.answer, st.error,
                        stored=st.id)
            asked.append(st.question)
            self.turns.append(turn)
            card = self._cards[turn.ticket] = AnswerCard(turn)
            await view.mount(card)
            if st.answer is not None:
                await card.show_answer(st.answer)
            else:
                card.set_state(st.state, st.error or "Not answered.")
        view.scroll_end(animate=False)
        if how == "view":
            self.set_focus(None)
        else:
            self.query_one("#question").focus()
            self.notify(f"{plural(len(stored), 'question')}; the next one follows on from them.",
                        title="Conversation continued")

    def action_focus_newest(self) -> None:
        """Tab from the question box: the newest answer's first citation."""
        for card in reversed(list(self.query(AnswerCard))):
            stop = card.first_stop()
            if stop is not None:
                stop.focus()
                self.query_one("#conversation", VerticalScroll).scroll_to_widget(stop, animate=False)
                return
        self.screen.focus_next()

    def action_toggle_details(self) -> None:
        self.show_details = not self.show_details
        for widget in self.query(Styled):
            widget.rebuild()
        self.notify("Weighted query terms, scores and timings are " +
                    ("shown." if self.show_details else "hidden."), title="Search details")

    def export_target(self) -> Path:
        """Where ctrl+s writes: the folder given to the app, $ASSISTANT_EXPORT, the folder chosen in the
        chat, or the user's documents folder."""
        if self.export_dir is not None:
            return self.export_dir
        chosen = self._remembered(self.store.get, None, "export_folder") if self.store is not None else None
        return export_folder(chosen)

    def action_export(self) -> None:
        if not self.turns:
            self.notify("Ask a question first.", title="Nothing to export", severity="warning")
            return
        directory = self.export_target()
        try:
            path = conversation.export(self.turns, directory)
        except OSError as exc:
            self.notify(f"{exc.strerror or exc} ({directory}). Choose another folder: ctrl+p, “Export folder”.",
                        title="Export failed", severity="error", markup=False)
            return
        self.last_export = path
        n = len(self.turns)
        self.notify(f"{n} question{'s' if n != 1 else ''} with citations saved to {path}", title="Exported",
                    markup=False, timeout=10)

    def action_export_folder(self) -> None:
        self.push_screen(FolderScreen(self.export_target()), self._apply_export_folder)

    def _apply_export_folder(self, folder: Path | None) -> None:
        if folder is None:
            return
        self.export_dir = None
        self.remember("export_folder", str(folder))
        if self.store is None:
            self.export_dir = folder
        self.notify(f"Conversations will be exported to {folder}", title="Export folder", markup=False)

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
            if isinstance(binding, Binding) and (binding.show or binding.tooltip) and binding.id != "back":
                rows.append((binding.key.replace(",", " / "), binding.tooltip or binding.description))
        return rows + EXTRA_KEYS

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New conversation", "Start again; this one stays in the history (ctrl+n)",
                            self.action_new_conversation)
        yield SystemCommand("Past conversations", "Continue one, or read it (ctrl+l)", self.action_past_conversations)
        yield SystemCommand("Export conversation", "Save the questions, answers and citations as Markdown (ctrl+s)",
                            self.action_export)
        yield SystemCommand("Export folder", f"Where exports go, now {self.export_target()}", self.action_export_folder)
        yield SystemCommand("Search details", "Show or hide the weighted query, scores and timings (ctrl+g)",
                            self.action_toggle_details)
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
