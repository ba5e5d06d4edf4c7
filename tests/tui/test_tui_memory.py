"""The chat's memory across restarts: conversations, question history and theme in SQLite under
ASSISTANT_DATA; past conversations reopened; a damaged file set aside; two chats writing at once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from textual.widgets import OptionList
from tui_support import EN, SIZE, ZH, FakeAssistant, ask, cards, run, settle

from assistant.tui.app import ChatApp
from assistant.tui.history import FILE, History, answer_from_json, answer_to_json
from assistant.tui.screens import ConfirmScreen, ConversationsScreen
from assistant.tui.widgets import CitationView


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_DATA", str(folder))
    return folder


def test_answers_survive_a_trip_through_json(fake: FakeAssistant) -> None:
    answer = fake.ask(EN + " SONIA")
    assert answer_from_json(answer_to_json(answer)) == answer


def test_conversations_questions_and_theme_survive_a_restart(fake: FakeAssistant, data: Path,
                                                             tmp_path: Path) -> None:
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    index.mkdir()
    fake.settings = fake.settings.with_(seeds=seeds, index=index)

    async def first() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            await ask(pilot, ZH)
            app.theme = "textual-light"
            await settle(pilot)

    async def second() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.theme == "textual-light"
            box = app.query_one("#question")
            await pilot.press("up")
            assert box.value == ZH  # type: ignore[attr-defined]
            await pilot.press("up")
            assert box.value == EN  # type: ignore[attr-defined]
            box.value = ""  # type: ignore[attr-defined]
            # the past conversation, listed and continued
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert isinstance(app.screen, ConversationsScreen)
            listed = app.screen.query_one(OptionList)
            assert listed.option_count == 1 and EN[:30] in str(listed.get_option_at_index(0).prompt)
            await pilot.press("enter")
            await settle(pilot)
            old = cards(app)
            assert [c.turn.question for c in old] == [EN, ZH]
            assert all(c.turn.state == "answered" and c.citations for c in old)
            assert old[0].citations[0].citation == fake.ask(EN).citations[0]
            await ask(pilot, "and the dose?")  # a follow-up of the continued conversation
            assert fake.asked[-1][3] == (EN, ZH)

    run(first())
    run(second())
    store, _ = History.open(data)
    [conversation] = store.conversations()
    assert conversation.questions == 3 and conversation.seeds == str(seeds.resolve())
    assert sorted(p.name for p in data.iterdir())[0] == FILE
    assert not any(seeds.iterdir()) and not any(index.iterdir())  # nothing beside the documents or index


def test_a_past_conversation_opens_read_only(fake: FakeAssistant, data: Path) -> None:
    async def first() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)

    async def second() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+l")
            await settle(pilot)
            await pilot.press("v")
            await settle(pilot)
            [card] = cards(app)
            assert card.turn.question == EN and card.citations
            box = app.query_one("#question")
            assert app.read_only and box.disabled
            assert app.query(".viewing")
            asked = len(fake.asked)
            await pilot.press("tab")
            assert isinstance(app.focused, CitationView)
            await pilot.press(*"more", "enter")
            await settle(pilot)
            assert len(fake.asked) == asked and len(cards(app)) == 1  # nothing asked, nothing added
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert not app.read_only and not box.disabled and not cards(app)

    run(first())
    run(second())
    store, _ = History.open(data)
    assert [c.questions for c in store.conversations()] == [1]  # viewing wrote nothing


def test_new_conversation_keeps_the_old_one_in_the_history(fake: FakeAssistant, data: Path) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert not cards(app) and not app.turns
            assert not isinstance(app.screen, ConfirmScreen)  # nothing is lost, so nothing is asked
            assert any("kept" in n.message for n in app._notifications)
            await ask(pilot, ZH)
            assert fake.asked[-1][3] == ()  # a new conversation: no follow-up context
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert app.screen.query_one(OptionList).option_count == 2

    run(scenario())


def test_without_a_history_new_conversation_asks_first(fake: FakeAssistant, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DATA", str(blocked / "data"))

    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.store is None
            assert any(n.title == "No history" for n in app._notifications)
            await ask(pilot, EN)
            assert cards(app)[0].turn.state == "answered"  # the chat works without its memory
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(pilot)
            assert len(cards(app)) == 1
            await pilot.press("ctrl+n")
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
            assert not cards(app)

    run(scenario())


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign"])
def test_a_damaged_history_is_set_aside_never_deleted(fake: FakeAssistant, data: Path, damage: str) -> None:
    store, _ = History.open(data)
    for n in range(200):
        store.add_turn(store.new_conversation(), 1, f"question {n} " + "x" * 400, 5, "hybrid", "answered")
    store.close()
    path = data / FILE
    if damage == "garbage":
        path.write_bytes(b"\x00garbage" * 4096)
    elif damage == "truncated":
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) // 3])
    else:
        path.unlink()
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE turns (x)")
    damaged = path.read_bytes()

    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.store is not None
            [warning] = [n for n in app._notifications if n.title == "History set aside"]
            aside = [p for p in data.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
            assert len(aside) == 1 and aside[0].name in warning.message
            assert aside[0].read_bytes() == damaged  # kept, byte for byte
            await ask(pilot, EN)  # and the new history works
            assert app.store.questions() == [EN]

    run(scenario())


def test_two_chats_writing_at_once_keep_everything(fake: FakeAssistant, data: Path) -> None:
    """Two histories on one file, each writing its own conversation from its own thread (as two chat
    processes would): every turn of both is there, and the file is sound."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def chat(name: str) -> None:
        try:
            store, _ = History.open(data)
            start.wait()
            cid = store.new_conversation(name)
            for n in range(60):
                turn = store.add_turn(cid, n + 1, f"{name} {n}", 5, "hybrid", "waiting")
                store.update_turn(turn, "answered", fake.ask(EN))
            store.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=chat, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    store, warning = History.open(data)
    assert not warning
    found = {c.seeds: c.questions for c in store.conversations()}
    assert found == {"a": 60, "b": 60}
    for c in store.conversations():
        assert all(t.answer is not None for t in store.turns(c.id))


def test_history_lists_nothing_before_the_first_question(fake: FakeAssistant, data: Path) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert isinstance(app.screen, ConversationsScreen) and not app.screen.query(OptionList)
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, ConversationsScreen)

    run(scenario())


