"""Pilot tests of the answer card and the keys around it, over the stand-in assistant (fixed answers)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from tui_support import DOSE, EN, SERD, SIZE, FakeAssistant, ask, cards, run, settle

from assistant.tui.app import EMPTY, ChatApp
from assistant.tui.colors import contrast
from assistant.tui.source import SourcePane
from assistant.tui.widgets import CitationView, Styled


def answer_of(card: Any) -> str:
    return card.query_one(".card-answer", Styled).plain


def test_card_leads_with_the_answer_in_plain_words(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN + " and in SONIA?")
            [card] = cards(app)
            answer = card.turn.answer
            top = answer_of(card)
            # the answer's sentences, each with its citation mark, and the glosses of its terms
            for st in answer.statements:
                assert f"{st.text} [{st.citation}]" in top
            assert "氟维司群 = fulvestrant (FLV)" in top
            assert "Also searched: 氟维司群, 药物, 剂量" in top
            assert "The documents never mention SONIA" in top
            shown = "\n".join(w.plain for w in card.query(Styled))
            assert "^" not in shown and "⇒" not in shown  # no query syntax, no weights
            assert "0.0952" not in shown and "score" not in shown  # no raw scores
            first, second = card.citations
            assert "demo/serd.pdf · lines\u00a023–24 · p.\u00a03" in first.plain
            assert "p.\u00a03–4 · OCR" in second.plain
            # the answer comes first in the card, then the passages
            order = [w for w in card.children if w.has_class("card-answer") or isinstance(w, CitationView)]
            assert order[0].has_class("card-answer")

    run(scenario())


def test_details_toggle_shows_the_weighted_query_and_scores(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            [card] = cards(app)
            await pilot.press("ctrl+g")
            await settle(pilot)
            meta = card.query_one(".card-meta", Styled).shown()
            assert "氟维司群^0.9" in meta and "Confidence" in meta
            assert "score 0.0952" in card.citations[0].shown()
            await pilot.press("ctrl+g")
            await settle(pilot)
            assert "^0.9" not in card.query_one(".card-meta", Styled).shown()
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert "Search details" in titles

    run(scenario())


def test_a_long_paste_is_folded(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            question = ("What dose of fulvestrant was effective in the trial? " * 140)[:7000]
            await ask(pilot, question)
            [card] = cards(app)
            shown = card.query_one(".card-question", Styled)
            lines = shown.lines(shown.content_size.width)
            assert len(lines) <= 3
            assert "… (7,000 characters)" in shown.shown()
            assert fake.asked[-1][0] == question.strip()  # the whole question is searched

    run(scenario())


def test_tab_goes_to_the_newest_answers_first_citation(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            await ask(pilot, "What dose?")
            older, newest = cards(app)
            await pilot.press("tab")
            assert app.focused is newest.citations[0]
            await pilot.press("tab")
            assert app.focused is newest.citations[1]
            await pilot.press("shift+tab", "shift+tab")
            assert app.focused is older.citations[1]

    run(scenario())


def test_c_copies_the_focused_citation_with_its_reference(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            await pilot.press("tab", "tab")
            assert app.focused is cards(app)[0].citations[1]
            await pilot.press("c")
            await pilot.pause()
            copied = app.clipboard
            assert copied.startswith(DOSE.text)
            for part in (DOSE.title, DOSE.section, DOSE.doc, "line 25", "p. 3–4", "OCR", "[2]"):
                assert part in copied
            assert any("Copied" in (n.title or "") for n in app._notifications)
            assert app.query_one("#question").value == ""  # type: ignore[attr-defined]  # c did not type
            app.copy_to_clipboard("")
            await pilot.press("enter")  # open it: c copies in the source preview too
            await settle(pilot)
            assert app.focused is app.query_one(SourcePane).view
            await pilot.press("c")
            await pilot.pause()
            assert app.clipboard == copied
            assert app.query_one("#question").value == ""  # type: ignore[attr-defined]

    run(scenario())


@pytest.mark.parametrize("text", ["", "   ", "\u3000\t", "？！。……", "?!.,;:"])
def test_empty_input_gets_one_message_and_sends_nothing(fake: FakeAssistant, text: str) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, text)
            assert not cards(app) and not app.turns and not fake.asked
            messages = [n.message for n in app._notifications]
            assert messages == [EMPTY]
            assert app.query(".welcome")

    run(scenario())


def test_help_scrolls_and_fits_80x24(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()
            box = app.screen.query_one("#help-box")
            region = box.region
            assert region.x >= 0 and region.y >= 0 and region.right <= 80 and region.bottom <= 24
            assert app.focused is box
            assert box.max_scroll_y > 0  # more keys than rows: it scrolls
            await pilot.press("end")
            await pilot.pause()
            assert box.scroll_y == box.max_scroll_y
            keys = app.screen.query_one("#help-keys")
            assert keys.region.bottom <= region.bottom  # the last key row is on screen
            await pilot.press("home")
            await pilot.pause()
            assert box.scroll_y == 0

    run(scenario())


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord", "solarized-light", "catppuccin-latte"])
def test_accents_are_readable_in_light_and_dark_themes(fake: FakeAssistant, theme: str) -> None:
    """Every coloured part of a card, as drawn (its colour on its own or the card's background), reaches
    WCAG AA contrast (4.5:1), whatever the theme; the theme's hue is kept."""
    from textual.color import Color

    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            app.theme = theme
            await settle(pilot)
            await ask(pilot, EN + " SONIA")
            await settle(pilot)
            card = cards(app)[0]
            low = []
            for widget in [card.query_one(".card-answer", Styled), card.query_one(".card-meta", Styled),
                           *card.citations]:
                background = widget.background_colors[1]
                for part, style in widget.styles_map().items():
                    if style.color is None:
                        continue
                    back = Color.from_rich_color(style.bgcolor) if style.bgcolor else background
                    ratio = contrast(Color.from_rich_color(style.color), back)
                    if ratio < 4.5:
                        low.append(f"{part} {ratio:.2f}")
            assert not low, f"{theme}: {low}"
            # the accent keeps its theme's hue: the rank mark is not plain black or white
            rank = card.citations[0].styles_map()["rank"].color
            assert rank is not None and len({*Color.from_rich_color(rank).rgb}) > 1
            # the passage highlighted in the source preview, too
            await pilot.click(card.citations[0])
            await settle(pilot)
            source = app.query_one(SourcePane).view
            first, last = source.span_rows
            background = source.background_colors[1]
            for row in range(first, last + 1):
                for span in source.rows[row][1].spans:
                    style = span.style
                    if not isinstance(style, str) and style.color is not None:
                        back = Color.from_rich_color(style.bgcolor) if style.bgcolor else background
                        ratio = contrast(Color.from_rich_color(style.color), back)
                        assert ratio >= 4.5, f"{theme}: highlighted passage {ratio:.2f}"

    run(scenario())


def test_the_source_preview_names_the_page_and_highlights_the_passage(fake: FakeAssistant) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            await pilot.click(cards(app)[0].citations[1])
            await settle(pilot)
            pane = app.query_one(SourcePane)
            title = str(pane.query_one("#source-title", Static).render())
            assert "p.\u00a03–4" in title and "OCR" in title
            assert pane.view.highlighted == fake.source(DOSE.doc)[DOSE.start : DOSE.end]
            assert SERD.text not in pane.view.highlighted

    run(scenario())


QUIT_SCRIPT = """
import sys, threading
sys.path.insert(0, sys.argv[1])
from tui_support import FakeAssistant
from assistant.tui import run_app
from assistant.tui.app import ChatApp

class Building(FakeAssistant):
    def open(self, progress=None, rebuild=False, fallback=False):
        progress("dictionaries", 0, 0)
        threading.Event().wait(60)  # a long stage with no progress report (a dictionary conversion)

sys.exit(run_app(ChatApp(assistant=Building())))
"""


def test_quitting_during_a_build_is_immediate(tmp_path: Path) -> None:
    """ctrl+q in a real terminal while the index is still building: the terminal is back and the
    process gone at once, not when the build's thread next reports progress."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "ASSISTANT_DATA": str(tmp_path)}
    env.pop("TEXTUAL_DRIVER", None)
    proc = subprocess.Popen([sys.executable, "-c", QUIT_SCRIPT, str(Path(__file__).parent)], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""

    def read_until(done: Any, timeout: float) -> None:
        nonlocal seen
        end = time.monotonic() + timeout
        while not done() and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    return

    try:
        read_until(lambda: b"dictionaries" in seen, 60)
        assert b"dictionaries" in seen, seen[-2000:]
        os.write(master, b"\x11")  # ctrl+q
        started = time.monotonic()
        while proc.poll() is None and time.monotonic() - started < 10:
            read_until(lambda: False, 0.05)
        elapsed = time.monotonic() - started
        assert proc.returncode == 0
        assert elapsed < 1.5, f"took {elapsed:.1f} s to quit"
        assert b"\x1b[?1049l" in seen  # the terminal's own screen is back
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
