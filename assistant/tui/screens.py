"""Modal screens: the help screen listing every key, and the prompt for k (passages per answer)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

MAX_K = 50


class HelpScreen(ModalScreen[None]):
    """Every key of the chat, with what it does."""

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
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc to close"
            yield Static(Text("Ask in Chinese, English or both. Each answer cites the passages it "
                              "comes from; open one to read it in its document."), classes="help-intro",
                         markup=False)
            yield Static(table, id="help-keys", markup=False)

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
