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

from .commands import WELCOME, ChatActions
from .conversation import CANCELLED, FAILED, SEARCHING, Turn
from .messages import (
    AnswerReady,
    AskFailed,
    IndexFailed,
    IndexProgress,
    IndexReady,
)
from .source import SourcePane
from .text import describe_error, plural
from .widgets import AnswerCard, CitationView, Notice, QuestionInput

if TYPE_CHECKING:
    from ..records import Answer
    from ..settings import Settings

STAGES = {"load": "Loading the index and model", "ocr": "Recognising scanned pages (OCR)",
          "read": "Reading documents", "embed": "Embedding passages", "write": "Writing the index"}


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
        Binding("ctrl+n", "new_conversation", "New", id="new", tooltip="Start a new conversation"),
        Binding("ctrl+s", "export", "Export", id="export", tooltip="Export the conversation as Markdown"),
        Binding("ctrl+r", "cycle_mode", "Mode", id="mode", tooltip="Switch retrieval mode"),
        Binding("ctrl+t", "set_k", "k", id="k", tooltip="Change k, the passages per answer"),
        Binding("ctrl+o", "toggle_source", "Source", id="source", tooltip="Show or hide the source preview"),
        Binding("f1", "help", "Help", id="help", tooltip="Show this list of keys"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("escape", "go_back", "Back", id="back"),
        Binding("pageup", "page(-1)", "Scroll up", show=False),
        Binding("pagedown", "page(1)", "Scroll down", show=False),
    ]

    def __init__(self, settings: Settings | None = None, *, assistant: Backend | None = None,
                 export_dir: Path | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else assistant.settings if assistant else None
        self.assistant = assistant
        self.export_dir = export_dir
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
        self._update_topbar()
        self.query_one("#question").focus()
        self.call_after_refresh(self._load_index)  # paint the first screen before the heavy lifting

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
        self._queue.clear()

    def action_retry_index(self) -> None:
        self.failed = False
        self._load_index()

    # ------------------------------------------------------------------ asking

    def on_key(self, event: Key) -> None:
        """Typing while a citation or the preview has the focus goes to the question box."""
        box = self.query_one("#question", QuestionInput)
        if event.is_printable and self.screen is self.screen_stack[0] and not isinstance(self.focused, Input):
            event.stop()
            box.focus()
            box.insert_text_at_cursor(event.character or "")

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "question":
            return
        question = event.value.strip()
        if not question:
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
        card = self._cards[turn.ticket] = AnswerCard(turn)
        view = self.query_one("#conversation", VerticalScroll)
        await view.query(".welcome").remove()
        await view.mount(card)
        view.scroll_end(animate=False)
        if self.screen.has_class("-narrow"):
            self._close_source()
        if self.failed:
            card.set_state(FAILED, "Not answered: the index is not available.")
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
        self.refresh_bindings()
        self._pump()

    def cancel_searches(self) -> None:
        self.workers.cancel_group(self, "search")
        for turn in [t for t in [self._current, *self._queue] if t is not None]:
            self._cards[turn.ticket].set_state(CANCELLED, "Cancelled.")
        self._current = None
        self._queue.clear()
        self.refresh_bindings()
