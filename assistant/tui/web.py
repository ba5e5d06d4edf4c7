"""``assistant web``: the chat in a browser, served on this machine by textual-serve.

textual-serve starts ``assistant chat`` (with the same documents, index and model) for each browser
tab that opens the page, and relays the terminal between it and xterm.js in the page. It listens on
127.0.0.1 by default, so only this machine can reach it.
"""

from __future__ import annotations

import shlex
import socket
import sys

from ..errors import UsageError
from ..settings import Settings


def chat_command(settings: Settings) -> str:
    """The shell command textual-serve runs for each browser tab."""
    argv = [sys.executable, "-m", "assistant", "chat", "--seeds", str(settings.seeds.resolve()),
            "--index", str(settings.index.resolve()), "--embedder", settings.embedder]
    return shlex.join(argv)


def serve(settings: Settings, host: str, port: int) -> int:
    """Serve until interrupted; returns the exit code. Raises UsageError when the port is taken."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); try another --port") from exc
    from textual_serve.server import Server

    server = Server(chat_command(settings), host=host, port=port, title="Assistant")
    print(f"assistant: serving the chat at http://{host}:{port} (ctrl+c stops)", file=sys.stderr, flush=True)
    server.serve()
    return 0
