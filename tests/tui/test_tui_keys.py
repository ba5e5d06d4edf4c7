"""Pilot tests of the keys, the palette, the waiting states and the errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from tui_support import EN, SIZE, ZH, GatedAssistant, ask, cards, run, settle

from assistant.tui.app import ChatApp
from assistant.tui.widgets import CitationView


def test_question_history_on_up_and_down(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, ZH)
            await ask(pilot, EN)
            box = app.query_one("#question")
            box.value = "draft"  # type: ignore[attr-defined]
            values = []
            for key in ("up", "up", "up", "down", "down"):
                await pilot.press(key)
                values.append(box.value)  # type: ignore[attr-defined]
            assert values == [EN, ZH, ZH, EN, "draft"]

    run(scenario())


def test_question_typed_before_the_index_is_ready_is_answered(assistant: Any) -> None:
    async def scenario() -> None:
        gated = GatedAssistant(assistant, gate_open=True, gate_ask=False)
        app = ChatApp(assistant=gated)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.query_one("#loading").display  # the progress bar, while the screen is usable
            box = app.query_one("#question")
            assert app.focused is box
            await pilot.press(*"SERD", "enter")
            await pilot.pause()
            [card] = cards(app)
            assert card.turn.state == "waiting" and not card.citations
            gated.open_gate.set()
            await settle(pilot)
            assert card.turn.state == "answered" and card.citations
            assert not app.query_one("#loading").display

    run(scenario())


def test_escape_cancels_a_search(assistant: Any) -> None:
    async def scenario() -> None:
        gated = GatedAssistant(assistant, gate_open=False, gate_ask=True)
        app = ChatApp(assistant=gated)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.query_one("#question").value = EN  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            [card] = cards(app)
            assert card.turn.state == "searching"
            await pilot.press("escape")
            await pilot.pause()
            gated.ask_gate.set()
            await settle(pilot)
            assert card.turn.state == "cancelled" and not card.citations
            assert "Cancelled" in str(card.query_one(".card-status", Static).render())
            await ask(pilot, ZH)  # the chat goes on
            assert cards(app)[1].turn.state == "answered"

    run(scenario())


def test_mode_and_k_change_the_next_search(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+r")
            assert app.mode == "dense"
            await pilot.press("ctrl+t")
            await pilot.pause()
            await pilot.press("ctrl+a", "ctrl+k", "3", "enter")  # whatever was there, now 3
            await pilot.pause()
            assert app.k == 3
            topbar = str(app.query_one("#topbar", Static).render())
            assert "mode dense" in topbar and "k 3" in topbar
            await ask(pilot, EN)
            answer = cards(app)[0].turn.answer
            assert answer is not None and answer.mode == "dense" and len(answer.citations) == 3

    run(scenario())


def test_every_key_is_in_the_footer_the_palette_and_the_help(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
            assert {"New", "History", "Export", "Mode", "k", "Source", "Help", "Quit"} <= shown
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert {"New conversation", "Past conversations", "Export conversation", "Export folder",
                    "Search details", "Retrieval mode: dense", "Change k", "Toggle source preview", "Help",
                    "Quit", "Theme"} <= titles
            await pilot.press("f1")
            await pilot.pause()
            assert app.screen.id == "help"
            listed = " ".join(key for key, _ in app.screen.keys)  # type: ignore[attr-defined]
            for key in ("ctrl+n", "ctrl+l", "ctrl+s", "ctrl+r", "ctrl+t", "ctrl+o", "ctrl+g", "f1", "ctrl+q", "esc",
                        "tab", "c"):
                assert key in listed
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.id != "help"

    run(scenario())


def test_index_errors_are_shown_not_raised(tmp_path: Path) -> None:
    from assistant.settings import Settings

    async def scenario(seeds: Path) -> None:
        app = ChatApp(Settings(seeds=seeds, index=tmp_path / "index"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            panel = app.query_one(".index-error", Static)
            assert "No documents" in str(panel.render())
            await ask(pilot, EN)
            [card] = cards(app)
            assert card.turn.state == "failed"
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert "Retry loading the index" in titles

    (tmp_path / "empty").mkdir()
    run(scenario(tmp_path / "empty"))
    run(scenario(tmp_path / "missing"))


def test_command_palette_runs_the_actions(fake: Any, export_dir: Path) -> None:
    from textual.command import CommandList

    async def palette(pilot: Any, query: str) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*query)
        for _ in range(100):  # the palette searches in the background
            await pilot.pause(0.02)
            if pilot.app.screen.query(CommandList) and pilot.app.screen.query_one(CommandList).option_count:
                break
        await pilot.press("enter")
        await settle(pilot)

    async def scenario() -> None:
        app = ChatApp(assistant=fake, export_dir=export_dir)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await palette(pilot, "mode: sparse")
            assert app.mode == "sparse"
            await ask(pilot, EN)
            assert fake.asked[-1][2] == "sparse"
            await palette(pilot, "export conversation")
            assert len(list(export_dir.glob("conversation-*.md"))) == 1

    run(scenario())


def test_typing_anywhere_goes_to_the_question_box(fake: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            first, second = app.query(CitationView)
            await pilot.click(first)
            await settle(pilot)
            await pilot.press("escape")
            await pilot.pause()
            assert app.focused is first
            await pilot.press("down")
            assert app.focused is second
            await pilot.press(*"dose?")
            box = app.query_one("#question")
            assert app.focused is box and box.value == "dose?"  # type: ignore[attr-defined]

    run(scenario())


def test_storage_errors_are_shown_as_one_line(tmp_path: Path) -> None:
    """A read-only index folder (a real read-only tmpfs) ends in the error card, never a traceback."""
    import shutil
    import subprocess

    from assistant.settings import Settings

    if shutil.which("mount") is None:
        pytest.skip("needs Linux mount")
    seeds, disk = tmp_path / "seeds", tmp_path / "ro"
    seeds.mkdir()
    disk.mkdir()
    (seeds / "a.txt").write_text("氟维司群\n\nFLV 500 mg 是有效剂量。\n", encoding="utf-8")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")

    async def scenario() -> None:
        app = ChatApp(Settings(seeds=seeds, index=disk / "index"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            shown = str(app.query_one(".index-error", Static).render())
            assert "Cannot store the index" in shown
            assert "read-only file system" in shown and "Traceback" not in shown

    try:
        run(scenario())
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
