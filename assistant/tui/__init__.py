"""The chat: a Textual app over :class:`assistant.core.Assistant` (``assistant`` or ``assistant chat``),
and the same chat served to a browser (``assistant web``, with textual-serve).

Only this package imports textual; the core never does.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from ..settings import Settings


def run_chat(settings: Settings) -> int:
    """Run the chat until the user quits; returns the exit code. Raises UsageError without a terminal
    (standard input and output must both be one, unless textual-serve runs the chat for a browser)."""
    from ..errors import UsageError

    served = bool(os.environ.get("TEXTUAL_DRIVER"))  # textual-serve talks to the app over pipes
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the chat needs a terminal; for scripts use: assistant ask QUESTION "
                         "(or assistant ask --batch FILE)")
    from .app import ChatApp

    return run_app(ChatApp(settings))


def run_app(app: App[int]) -> int:
    """Run ``app`` and return its exit code, at once even while a worker thread is still busy.

    ``asyncio.run`` would wait for the loop's worker threads (an index build, a dictionary
    conversion) before returning, and Python waits for them again at exit, leaving a blank terminal for
    seconds. The app runs on a loop of its own instead, and when a worker is still running once the
    terminal is restored, the process ends there: the index is written atomically, so a build cut short
    leaves the previous one live, and the chat's history is committed as it goes.
    """
    loop = asyncio.new_event_loop()
    app.run(loop=loop)
    code = app.return_code or 0
    busy = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon and t.is_alive()]
    if busy:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    loop.close()
    return code


def run_web(settings: Settings, host: str, port: int) -> int:
    """Serve the chat to browsers at ``http://host:port`` until interrupted (textual-serve: each browser
    tab gets its own chat process)."""
    from .web import serve

    return serve(settings, host, port)


__all__ = ["run_app", "run_chat", "run_web"]
