"""The conversation's widgets: answer cards, cited passages, the question box and notice panels."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import AwaitMount, Widget
from textual.widgets import Collapsible, Input, Static

from ..records import Answer, Citation
from . import text as fmt
from .colors import readable
from .conversation import Turn
from .messages import CitationSelected
from .source import copy_citation
from .wrap import WrappedText

STATUS = {"waiting": "Waiting for the index to load…", "searching": "Searching…"}
PARTS = ("prompt", "question", "label", "expanded", "notice", "rank", "title", "section", "place", "bar",
         "bar-empty", "best", "term", "gloss", "statement", "abstain")


class Styled(WrappedText):
    """Text built at render time, styled by the ``chat--*`` component classes of the .tcss file.

    ``build(styles, width)`` makes the text for a content width (None: unwrapped, for tests); with the
    app's ``show_details`` on, it may show more (weighted query terms, scores).
    """

    COMPONENT_CLASSES = {f"chat--{part}" for part in PARTS}

    def __init__(self, build: Callable[[dict[str, Style], int | None], Text] | None = None, *,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._build = build

    def styles_map(self) -> dict[str, Style]:
        """The style of each part, its colour made readable on the widget's background."""
        background = self.background_colors[1]
        return {part: readable(self.get_component_rich_style(f"chat--{part}", partial=True), background)
                for part in PARTS}

    @property
    def details(self) -> bool:
        """Whether the app shows search details (the debug view)."""
        return bool(getattr(self.app, "show_details", False)) if self.is_attached else False

    def build(self, styles: dict[str, Style], width: int | None = None) -> Text:
        return self._build(styles, width) if self._build else Text()

    def text(self, width: int) -> Text:
        return self.build(self.styles_map(), width)

    def rebuild(self) -> None:
        """Build the text again (after the details view was switched)."""
        self._wrapped = None
        self.refresh(layout=True)

    @property
    def plain(self) -> str:
        """The text as built, without styles or line breaks (for tests)."""
        return self.build({}).plain

    def shown(self) -> str:
        """The text as shown at the widget's width, lines joined by newlines (for tests)."""
        return "\n".join(line.plain for line in self.lines(self.content_size.width))


class CitationView(Styled, can_focus=True):
    """One cited passage. Click it, or focus it and press enter, to preview its source; ``c`` copies it
    with its reference."""

    BINDINGS = [
        Binding("enter", "open", "Open source", show=False),
        Binding("c", "copy", "Copy", show=False),
        Binding("up", "app.focus_previous", "Previous", show=False),
        Binding("down", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, citation: Citation, top: float, hints: bool) -> None:
        super().__init__(classes="citation")
        self.citation = citation
        self.top = top
        self.hints = hints

    def build(self, styles: dict[str, Style], width: int | None = None) -> Text:
        return fmt.citation_text(self.citation, self.top, self.hints, styles, self.details)

    def on_click(self) -> None:
        self.focus()
        self.action_open()

    def action_open(self) -> None:
        self.post_message(CitationSelected(self.citation, self))

    def action_copy(self) -> None:
        """Copy the passage and its reference (file, section, lines, pages) to the clipboard."""
        copy_citation(self.app, self.citation)


class AnswerCard(Vertical):
    """A question and its answer: the answer's sentences with their citation marks, what was not found
    and what else was searched, then the cited passages (or an abstention)."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="card")
        self.turn = turn

    def compose(self) -> ComposeResult:
        yield Styled(lambda s, w: fmt.question_text(self.turn.question, s, w), classes="card-question")
        yield Static(self._status_text(), classes="card-status", markup=False)

    def _status_text(self) -> str:
        return STATUS.get(self.turn.state, "")

    def set_state(self, state: str, message: str = "") -> None:
        """Show a waiting, searching, cancelled or failed state."""
        self.turn.state = state
        if state == "failed":
            self.turn.error = message
        status = self.query_one(".card-status", Static)
        status.update(Text(message or self._status_text()))
        status.set_class(state in ("cancelled", "failed"), "-problem")

    def show_answer(self, answer: Answer) -> AwaitMount:
        self.turn.state, self.turn.answer = "answered", answer
        self.query(".card-status").remove()
        k = self.turn.k
        widgets: list[Widget] = []
        if answer.abstained:
            widgets.append(Static(Text(fmt.ABSTAIN), classes="abstain", markup=False))
        if fmt.answer_text(answer, {}).plain:
            widgets.append(Styled(lambda s, w: fmt.answer_text(answer, s), classes="card-answer"))
        meta = Styled(classes="card-meta")
        meta._build = lambda s, w: fmt.answer_meta(answer, k, s, meta.details)
        widgets.append(meta)
        top = max((c.score for c in answer.citations), default=0.0)
        hints = answer.language == "en"
        views = [CitationView(c, top, hints) for c in answer.citations]
        if answer.abstained:
            if views:
                widgets.append(Collapsible(*views, title=f"Nearest passages ({len(views)}), not answers",
                                           collapsed=True))
        else:
            widgets.extend(views)
        return self.mount_all(widgets)

    @property
    def citations(self) -> list[CitationView]:
        return list(self.query(CitationView))

    def first_stop(self) -> Widget | None:
        """Where tab lands in this card: its first citation, or the title of its folded nearest passages."""
        for widget in self.query("CitationView, CollapsibleTitle"):
            if widget.focusable:
                return widget
        return None


class QuestionInput(Input):
    """The question box: enter sends, up and down walk through the questions already asked."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
        Binding("tab", "app.focus_newest", "Newest answer", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.asked: list[str] = []
        self._position = 0
        self._draft = ""

    def recall(self, questions: list[str]) -> None:
        """Offer ``questions`` (oldest first, e.g. from the history of earlier runs) on ↑."""
        self.asked = list(questions)
        self._position = len(self.asked)
        self._draft = ""

    def remember(self, question: str) -> None:
        if not self.asked or self.asked[-1] != question:
            self.asked.append(question)
        self._position = len(self.asked)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.asked:
            return
        if self._position == len(self.asked):
            self._draft = self.value
        position = max(0, min(len(self.asked), self._position + step))
        if position == self._position:
            return
        self._position = position
        self.value = self.asked[position] if position < len(self.asked) else self._draft
        self.cursor_position = len(self.value)


class Notice(Static):
    """A panel in the conversation: the welcome text, or an error the user can act on."""

    def __init__(self, title: str, body: str, classes: str) -> None:
        content = Text()
        content.append(title, style="bold")
        content.append("\n")
        content.append(fmt.literal(body))
        super().__init__(content, classes=classes, markup=False)
