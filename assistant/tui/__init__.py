"""The chat: a Textual app over :class:`assistant.core.Assistant` (``assistant`` or ``assistant chat``).

Only this package imports textual; the core never does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..settings import Settings


def run_chat(settings: Settings) -> int:
    """Run the chat until the user quits; returns the exit code."""
    from .app import ChatApp

    app = ChatApp(settings)
    app.run()
    return app.return_code or 0


__all__ = ["run_chat"]
