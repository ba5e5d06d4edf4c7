"""The chat app: a conversation over :class:`assistant.core.Assistant`, searched in workers.

The first screen is shown at once; the index loads (or builds) in a thread worker behind a progress
bar while the question box already takes input, and questions typed meanwhile wait in a queue. Each
search runs in an exclusive thread worker; results come back as messages and only the handlers,
on the UI thread, touch widgets.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Key
from textual.widgets import Footer, Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from ..present import plural
from .commands import WELCOME, ChatActions
from .conversation import ANSWERED, CANCELLED, FAILED, SEARCHING, Turn
from .history import History, HistoryError
from .messages import (
    AnswerReady,
    AskFailed,
    IndexFailed,
    IndexProgress,
    IndexReady,
)
from .source import SourcePane, SourceView
from .text import describe_error
from .widgets import AnswerCard, CitationView, Notice, QuestionInput

if TYPE_CHECKING:
    from ..records import Answer
    from ..settings import Settings

STAGES = {"load": "Loading the index and model", "ocr": "Recognising scanned pages (OCR)",
          "read": "Reading documents", "embed": "Embedding passages", "write": "Writing the index",
          "dictionaries": "First run: converting the Chinese dictionaries (once per machine)"}
EMPTY = "Type a question in Chinese or English: letters or characters, not only spaces or punctuation."


class Stopped(Exception):
    """Raised in the loading worker's progress callback when the app closes mid-build."""


class Backend(Protocol):
    """What the app needs of :class:`assistant.core.Assistant`."""

    settings: Settings
    report: Any

    def open(self, progress: Any = None, rebuild: bool = False) -> Any: ...
    def warm(self) -> None: ...
    def ask(self, question: str, k: int | None = None, mode: str | None = None,
            history: Sequence[str] = ()) -> Answer: ...
    def source(self, doc: str) -> str: ...


class ChatApp(ChatActions):
    TITLE = "Assistant"
    CSS_PATH = "chat.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("ctrl+n", "new_conversation", "New", id="new",
                tooltip="Start a new conversation (this one stays in the history)"),
        Binding("ctrl+l", "past_conversations", "History", id="history",
                tooltip="Past conversations: continue one, or read it"),
        Binding("ctrl+s", "export", "Export", id="export", tooltip="Export the conversation as Markdown"),
        Binding("ctrl+r", "cycle_mode", "Mode", id="mode", tooltip="Switch retrieval mode"),
        Binding("ctrl+t", "set_k", "k", id="k", tooltip="Change k, the passages per answer"),
        Binding("ctrl+o", "toggle_source", "Source", id="source", tooltip="Show or hide the source preview"),
        Binding("f1", "help", "Help", id="help", tooltip="Show this list of keys"),
        Binding("ctrl+g", "toggle_details", "Details", id="details", show=False,
                tooltip="Show or hide search details: the weighted query terms, scores and timings"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("escape", "go_back", "Back", id="back"),
        Binding("pageup", "page(-1)", "Scroll up", show=False),
        Binding("pagedown", "page(1)", "Scroll down", show=False),
    ]

    def __init__(self, settings: Settings | None = None, *, assistant: Backend | None = None,
                 export_dir: Path | None = None, data_dir: Path | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else assistant.settings if assistant else None
        self.assistant = assistant
        self.export_dir = export_dir
        """Where exports go (None: $ASSISTANT_EXPORT, the folder chosen in the chat, or the documents folder)."""
        self.data_dir = data_dir
        """Where the history is kept (None: $ASSISTANT_DATA or the user's data folder)."""
        self.store: History | None = None
        self.conversation_id: int | None = None
        """The conversation's id in the history (None until its first question)."""
        self.read_only = False
        """A past conversation is shown, not continued."""
        self.show_details = False
        """Show the weighted query, scores and timings (the debug view)."""
        self.mode: str = self.settings.mode if self.settings else "hybrid"
        self.k: int = self.settings.k if self.settings else 5
        self.turns: list[Turn] = []
        self.ready = False
        self.failed = False
        """The index could not be opened (until a retry)."""
        self.report: Any = None
        self._cards: dict[int, AnswerCard] = {}
        self._queue: deque[Turn] = deque()
        self._current: Turn | None = None
        self._ticket = 0
        self._search_lock = threading.Lock()
        self._opened_from: CitationView | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", markup=False)
        with Horizontal(id="loading"):
            yield Label(STAGES["load"], id="loading-label", markup=False)
            yield ProgressBar(total=None, show_eta=False, id="progress")
        with Horizontal(id="body"):
            with VerticalScroll(id="conversation", can_focus=False):
                yield Notice(*WELCOME, classes="welcome")
            yield SourcePane()
        yield QuestionInput(placeholder="Ask in Chinese or English · enter to send · ↑↓ earlier questions",
                            id="question", select_on_focus=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._open_history()
        self._update_topbar()
        self.query_one("#question").focus()
        self.call_after_refresh(self._load_index)  # paint the first screen before the heavy lifting

    # ------------------------------------------------------------------ memory

    def _open_history(self) -> None:
        try:
            self.store, warning = History.open(self.data_dir)
        except HistoryError as exc:
            self.notify(f"{exc}. Conversations will not be kept after the chat closes.",
                        title="No history", severity="warning", markup=False, timeout=15)
            return
        if warning:
            self.notify(warning, title="History set aside", severity="warning", markup=False, timeout=20)
        self.query_one("#question", QuestionInput).recall(self._remembered(self.store.questions, []))
        theme = self._remembered(self.store.get, None, "theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda theme: self.remember("theme", theme.name))

    def _remembered(self, read: Any, default: Any, *args: Any) -> Any:
        """``read(*args)`` from the history, or ``default`` when it cannot be read."""
        try:
            return read(*args)
        except Exception as exc:  # noqa: BLE001 - sqlite3 errors: the chat goes on without its memory
            self._history_failed(exc)
            return default

    def remember(self, key: str, value: str) -> None:
        """Keep a setting in the history (the theme, the export folder)."""
        if self.store is not None:
            self._remembered(self.store.set, None, key, value)

    def _history_failed(self, exc: Exception) -> None:
        self.notify(f"{exc}. The rest of this conversation will not be kept.", title="History not saved",
                    severity="warning", markup=False, timeout=15)
        self.store = None

    def _store_turn(self, turn: Turn) -> None:
        """Write a new question, or what became of it, into the history."""
        store = self.store
        if store is None or self.read_only:
            return
        try:
            if turn.stored is None:
                if self.conversation_id is None:
                    seeds = str(self.settings.seeds.resolve()) if self.settings is not None else ""
                    self.conversation_id = store.new_conversation(seeds)
                turn.stored = store.add_turn(self.conversation_id, len(self.turns), turn.question, turn.k,
                                             turn.mode, turn.state)
            if turn.state in (ANSWERED, FAILED, CANCELLED):
                store.update_turn(turn.stored, turn.state, turn.answer, turn.error)
        except Exception as exc:  # noqa: BLE001
            self._history_failed(exc)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()  # folds the write-ahead log into the file

    def _update_topbar(self, status: str = "") -> None:
        if self.report is not None:
            report = self.report
            status = f"{plural(report.documents, 'document')} · {plural(report.passages, 'passage')}"
        status = status or "loading…"
        self.query_one("#topbar", Static).update(f" Assistant │ {status} │ mode {self.mode} · k {self.k}")

    # ------------------------------------------------------------------ the index

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _load_index(self, rebuild: bool = False) -> None:
        worker = get_current_worker()

        def progress(stage: str, done: int, total: int) -> None:
            if worker.is_cancelled:  # the app is closing: stop building instead of holding the exit up
                raise Stopped
            self.post_message(IndexProgress(stage, done, total))

        try:
            progress("load", 0, 0)
            assistant = self.assistant
            if assistant is None:
                from ..core import Assistant

                assistant = self.assistant = Assistant(self.settings)
            if assistant.report is None or rebuild:
                report = assistant.open(progress=progress, rebuild=rebuild, fallback=not rebuild)
            else:
                report = assistant.report
            assistant.warm()
        except Stopped:
            return
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a traceback
            self.post_message(IndexFailed(*describe_error(exc)))
            return
        self.post_message(IndexReady(report))

    def on_index_progress(self, message: IndexProgress) -> None:
        self.query_one("#loading").display = True
        label = STAGES.get(message.stage, message.stage)
        if message.total:
            label += f" {message.done}/{message.total}"
        self.query_one("#loading-label", Label).update(label)
        self.query_one("#progress", ProgressBar).update(total=message.total or None, progress=message.done)

    def on_index_ready(self, message: IndexReady) -> None:
        self.ready, self.report = True, message.report
        self.query_one("#loading").display = False
        self.query(".index-error").remove()
        self._update_topbar()
        report = message.report
        for warning in report.warnings if getattr(report, "rebuilt", False) else ():
            self.notify(warning, title="Skipped a file", severity="warning", markup=False)
        if getattr(report, "stale", ""):
            self.notify(f"{report.stale}; answering from the previous index", title="Index not refreshed",
                        severity="warning", markup=False, timeout=15)
        self._pump()

    async def on_index_failed(self, message: IndexFailed) -> None:
        self.ready, self.failed = False, True
        self.query_one("#loading").display = False
        self._update_topbar("no index")
        await self.query(".index-error").remove()
        panel = Notice(message.title, message.text + "\nFix it, then run “Retry loading the index” (ctrl+p).",
                       classes="index-error error")
        await self.query_one("#conversation").mount(panel, before=0)
        self.notify(message.text, title=message.title, severity="error", markup=False)
        for turn in list(self._queue):
            self._cards[turn.ticket].set_state(FAILED, "Not answered: the index is not available.")
            self._store_turn(turn)
        self._queue.clear()

    def action_retry_index(self) -> None:
        self.failed = False
        self._load_index()

    # ------------------------------------------------------------------ asking

    def on_key(self, event: Key) -> None:
        """Typing while a citation or the preview has the focus goes to the question box."""
        box = self.query_one("#question", QuestionInput)
        if box.disabled or (event.key == "c" and isinstance(self.focused, (CitationView, SourceView))):
            return  # a read-only conversation; c copies the focused citation
        if event.is_printable and self.screen is self.screen_stack[0] and not isinstance(self.focused, Input):
            event.stop()
            box.focus()
            box.insert_text_at_cursor(event.character or "")

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "question":
            return
        question = event.value.strip()
        if self.read_only:
            return
        if not _searchable(question):
            self.notify(EMPTY, title="Nothing to search", severity="warning", markup=False)
            return
        question_box = self.query_one("#question", QuestionInput)
        question_box.value = ""
        question_box.remember(question)
        await self.ask(question)

    async def ask(self, question: str) -> Turn:
        """Add a question to the conversation; it is searched as soon as the index is ready."""
        self._ticket += 1
        turn = Turn(self._ticket, question, tuple(t.question for t in self.turns), self.k, self.mode)
        self.turns.append(turn)
        self._store_turn(turn)
        card = self._cards[turn.ticket] = AnswerCard(turn)
        view = self.query_one("#conversation", VerticalScroll)
        await view.query(".welcome").remove()
        await view.mount(card)
        view.scroll_end(animate=False)
        if self.screen.has_class("-narrow"):
            self._close_source()
        if self.failed:
            card.set_state(FAILED, "Not answered: the index is not available.")
            self._store_turn(turn)
            return turn
        self._queue.append(turn)
        self._pump()
        return turn

    def _pump(self) -> None:
        if not self.ready or self._current is not None or not self._queue:
            return
        turn = self._current = self._queue.popleft()
        self._cards[turn.ticket].set_state(SEARCHING)
        self.refresh_bindings()
        self._search(turn)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, turn: Turn) -> None:
        worker = get_current_worker()
        assert self.assistant is not None
        try:
            with self._search_lock:  # a cancelled search may still be finishing in its thread
                if worker.is_cancelled:
                    return
                answer = self.assistant.ask(turn.question, k=turn.k, mode=turn.mode, history=turn.history)
        except Exception as exc:  # noqa: BLE001
            if not worker.is_cancelled:
                title, text = describe_error(exc)
                self.post_message(AskFailed(turn.ticket, f"{title}: {text}"))
            return
        if not worker.is_cancelled:
            self.post_message(AnswerReady(turn.ticket, answer))

    async def on_answer_ready(self, message: AnswerReady) -> None:
        card = self._cards.get(message.ticket)
        if card is None or card.turn.state != SEARCHING:
            return  # cancelled, or the conversation was cleared
        self._current = None
        await card.show_answer(message.answer)
        self._store_turn(card.turn)
        self.call_after_refresh(self._reveal, card)
        self.refresh_bindings()
        self._pump()

    def _reveal(self, card: AnswerCard) -> None:
        self.query_one("#conversation", VerticalScroll).scroll_to_widget(card, top=True, animate=False)

    def on_ask_failed(self, message: AskFailed) -> None:
        card = self._cards.get(message.ticket)
        if card is None or card.turn.state != SEARCHING:
            return
        self._current = None
        card.turn.error = message.text
        card.set_state(FAILED, message.text)
        self._store_turn(card.turn)
        self.refresh_bindings()
        self._pump()

    def cancel_searches(self) -> None:
        self.workers.cancel_group(self, "search")
        for turn in [t for t in [self._current, *self._queue] if t is not None]:
            self._cards[turn.ticket].set_state(CANCELLED, "Cancelled.")
            self._store_turn(turn)
        self._current = None
        self._queue.clear()
        self.refresh_bindings()


def _searchable(question: str) -> bool:
    """Whether a question has something to search (a letter, digit or character; the core's rule)."""
    from ..errors import QuestionError
    from ..search import clean

    try:
        clean(question, 10**9)
    except QuestionError:
        return False
    return True
