"""Snapshot tests at 100×35 over a stand-in assistant with fixed answers (see tui_support.FakeAssistant).

Update with ``pytest tests/tui --snapshot-update`` after checking the new pictures by eye.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from tui_support import FakeAssistant, ask, still

from assistant.tui.app import ChatApp
from assistant.tui.widgets import CitationView

SIZE = (100, 35)
QUESTION = "Which drug is the representative SERD and what dose was effective?"


async def answered(pilot: Pilot) -> None:
    await ask(pilot, QUESTION)


async def previewed(pilot: Pilot) -> None:
    await ask(pilot, QUESTION)
    await pilot.click(pilot.app.query(CitationView)[1])


def test_main_screen(snap_compare: Any, fake: FakeAssistant) -> None:
    assert snap_compare(ChatApp(assistant=fake), terminal_size=SIZE, run_before=still())


def test_answer_card(snap_compare: Any, fake: FakeAssistant) -> None:
    assert snap_compare(ChatApp(assistant=fake), terminal_size=SIZE, run_before=still(answered))


def test_source_preview(snap_compare: Any, fake: FakeAssistant) -> None:
    assert snap_compare(ChatApp(assistant=fake), terminal_size=SIZE, run_before=still(previewed))


def test_help_screen(snap_compare: Any, fake: FakeAssistant) -> None:
    async def helped(pilot: Pilot) -> None:
        await pilot.press("f1")

    assert snap_compare(ChatApp(assistant=fake), terminal_size=SIZE, run_before=still(helped))


def test_help_screen_80x24(snap_compare: Any, fake: FakeAssistant) -> None:
    async def helped(pilot: Pilot) -> None:
        await pilot.press("f1")

    assert snap_compare(ChatApp(assistant=fake), terminal_size=(80, 24), run_before=still(helped))


def test_answer_card_light_theme(snap_compare: Any, fake: FakeAssistant) -> None:
    async def light(pilot: Pilot) -> None:
        pilot.app.theme = "textual-light"
        await ask(pilot, QUESTION + " And in SONIA?")

    assert snap_compare(ChatApp(assistant=fake), terminal_size=SIZE, run_before=still(light))
