"""Messages that carry results from the workers (and from widgets) to the app, on the UI thread.

Workers never touch widgets: they post one of these and the app's handlers update the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from textual.widget import Widget

    from ..records import Answer, Citation


class IndexProgress(Message):
    """The index is loading or building: ``stage`` is ``load``, ``read``, ``embed`` or ``write``."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        # a newer progress report supersedes an older one still waiting in the queue
        return isinstance(message, IndexProgress)


class IndexReady(Message):
    """The index is loaded and the model warm: questions can be answered."""

    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report


class IndexFailed(Message):
    """The index could not be opened; ``text`` says why, in one or two lines."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title = title
        self.text = text


class AnswerReady(Message):
    """The search for turn ``ticket`` finished."""

    def __init__(self, ticket: int, answer: Answer) -> None:
        super().__init__()
        self.ticket = ticket
        self.answer = answer


class AskFailed(Message):
    """The search for turn ``ticket`` failed with an error the user can act on."""

    def __init__(self, ticket: int, text: str) -> None:
        super().__init__()
        self.ticket = ticket
        self.text = text


class SourceLoaded(Message):
    """The full text of a cited document was read, ready to preview."""

    def __init__(self, citation: Citation, text: str) -> None:
        super().__init__()
        self.citation = citation
        self.text = text


class CitationSelected(Message):
    """A citation was clicked or chosen with the keyboard (in ``view``, if it came from one)."""

    def __init__(self, citation: Citation, view: Widget | None = None) -> None:
        super().__init__()
        self.citation = citation
        self.view = view
