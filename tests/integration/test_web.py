"""``assistant web`` for real: the chat served by textual-serve, opened in headless Chromium (Debian's
``chromium``, driven by Playwright without downloading a browser), a question typed in the page, and
the answer's [1] with its cited passage read back from what the page was sent. Saves a screenshot
(``ASSISTANT_WEB_SCREENSHOT=path`` keeps a copy, e.g. docs/web.png)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUESTION = "What dose of fulvestrant was effective?"
ANSI = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"assistant web exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("assistant web did not start listening")


def test_the_chat_answers_in_a_browser(built_index: Path, seeds_dir: Path, assistant: Any, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "ASSISTANT_DATA": str(data), "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "assistant", "web", "--port", str(port), "--seeds", str(seeds_dir),
                               "--index", str(built_index)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    expected = assistant.ask(QUESTION).citations[0].passage
    received: list[str] = []

    def screen() -> str:
        return ANSI.sub("", "".join(received))

    def on_frame(payload: str | bytes) -> None:
        received.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload)

    def wait_for(text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in screen() and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert text in screen(), f"{text!r} never shown; the page got: {screen()[-1500:]!r}"

    try:
        wait_for_port(port, server)
        with sync_api.sync_playwright() as pw:
            # a persistent context is how Playwright takes a fresh, empty --user-data-dir
            browser = pw.chromium.launch_persistent_context(str(tmp_path / "chromium"), executable_path=CHROMIUM,
                                                            args=FLAGS, viewport={"width": 1400, "height": 900})
            page = browser.new_page()
            page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            wait_for("Ask about your documents", 60)
            wait_for("passages", 120)  # the index is open: the top bar counts its passages
            page.click("#terminal")
            page.keyboard.type(QUESTION)
            page.keyboard.press("Enter")
            wait_for("[1] ", 120)
            wait_for(expected.title[:8], 30)
            wait_for(expected.doc, 30)
            page.wait_for_timeout(1000)
            shot = tmp_path / "web.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            keep = os.environ.get("ASSISTANT_WEB_SCREENSHOT")
            if keep:
                shutil.copyfile(shot, keep)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
    # the chat behind the page kept the conversation, answered with citations
    with sqlite3.connect(data / "history.sqlite3") as db:
        rows = db.execute("SELECT question, state, answer FROM turns").fetchall()
    assert [(q, s) for q, s, _ in rows] == [(QUESTION, "answered")]
    assert expected.doc in rows[0][2]
