"""Modal screens: the help screen listing every key, the prompt for k (passages per answer), past
conversations, the export folder, and a yes/no question."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..present import plural
from .history import ConversationInfo
from .text import literal

MAX_K = 50


class HelpScreen(ModalScreen[None]):
    """Every key of the chat, with what it does; scrolls (↑↓, pgup/pgdn) when the terminal is short."""

    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__(id="help")
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, description in self.keys:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "↑↓ scroll · esc to close"
            yield Static(Text("Ask in Chinese, English or both. Each answer cites the passages it "
                              "comes from; open one to read it in its document."), classes="help-intro",
                         markup=False)
            yield Static(table, id="help-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


class KScreen(ModalScreen[int | None]):
    """Ask for k, the number of passages each answer cites."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, k: int) -> None:
        super().__init__(id="k-screen")
        self.k = k

    def compose(self) -> ComposeResult:
        with Vertical(id="k-box") as box:
            box.border_title = "Passages per answer"
            box.border_subtitle = "enter to apply · esc to cancel"
            yield Static(Text(f"How many passages should each answer cite? (1–{MAX_K})"), markup=False)
            yield Input(str(self.k), type="integer", id="k-input", select_on_focus=True)
            yield Static("", id="k-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            k = int(event.value)
        except ValueError:
            k = 0
        if not 1 <= k <= MAX_K:
            self.query_one("#k-error", Static).update(Text(f"Enter a whole number from 1 to {MAX_K}."))
            return
        self.dismiss(k)

    def action_cancel(self) -> None:
        self.dismiss(None)


Opening = tuple[Literal["continue", "view"], int]
"""What to do with a past conversation, and its id."""


class ConversationsScreen(ModalScreen[Opening | None]):
    """Past conversations, newest first: enter continues one, ``v`` shows it read-only."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("v", "view", "View read-only", show=False),
    ]

    def __init__(self, conversations: list[ConversationInfo]) -> None:
        super().__init__(id="conversations")
        self.conversations = conversations

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations-box") as box:
            box.border_title = "Past conversations"
            box.border_subtitle = "enter continue · v view read-only · esc close"
            if not self.conversations:
                yield Static(Text("No past conversations yet: each question you ask is kept here."),
                             markup=False)
                return
            options = []
            for c in self.conversations:
                prompt = Text()
                prompt.append(f"{c.when}  ", style="bold")
                prompt.append(f"{plural(c.questions, 'question')}  ")
                first = literal(" ".join(c.first.split()))
                prompt.append(first if len(first) <= 120 else first[:119] + "…")
                options.append(Option(prompt, id=str(c.id)))
            yield OptionList(*options, id="conversation-list")

    def _chosen(self) -> int | None:
        found = self.query(OptionList)
        if not found or found.first().highlighted is None:
            return None
        option = found.first().highlighted_option
        return int(option.id) if option is not None and option.id is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(("continue", int(event.option.id)))

    def action_view(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.dismiss(("view", chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FolderScreen(ModalScreen[Path | None]):
    """Ask for the folder conversations are exported to."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, folder: Path) -> None:
        super().__init__(id="folder-screen")
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="folder-box") as box:
            box.border_title = "Export folder"
            box.border_subtitle = "enter to apply · esc to cancel"
            yield Static(Text("Save exported conversations in this folder (created if missing):"), markup=False)
            yield Input(str(self.folder), id="folder-input", select_on_focus=False)
            yield Static("", id="folder-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.query_one("#folder-error", Static).update(Text("Enter a folder."))
            return
        folder = Path(text).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.query_one("#folder-error", Static).update(Text(f"Cannot use it: {exc.strerror or exc}"))
            return
        self.dismiss(folder.resolve())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y or enter for yes, n or esc for no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__(id="confirm")
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "y yes · n no"
            yield Static(Text(self.question), markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
