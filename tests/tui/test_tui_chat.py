"""Pilot tests: the chat driven like a user would, over the real seeds index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Collapsible, Static
from tui_support import EN, SIZE, ZH, ask, cards, meta, run, settle

from assistant.tui.app import ChatApp
from assistant.tui.source import SourcePane
from assistant.tui.text import ABSTAIN, literal
from assistant.tui.widgets import CitationView, Styled


def test_chinese_question_cites_the_answer(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, ZH)
            [card] = cards(app)
            assert card.turn.state == "answered"
            views = card.citations
            assert views and any("地舒单抗" in v.plain for v in views)
            assert "Chinese question" in meta(card)
            assert all(v.plain.startswith(f"[{i}] ") for i, v in enumerate(views, 1))
            assert not any("\nTerms " in v.plain for v in views)  # hints are for English questions

    run(scenario())


def test_english_question_cites_and_glosses(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            [card] = cards(app)
            text = "\n".join(v.plain for v in card.citations)
            assert "English question" in meta(card)
            answer = card.turn.answer
            assert answer.also_searched and "Also searched: " + ", ".join(answer.also_searched) in \
                card.query_one(".card-answer", Styled).plain
            assert "氟维司群" in text
            hints = [h for v in card.citations for h in v.citation.hints]
            assert hints and all(f"{h.term} = {h.gloss}" in text for h in hints)  # every gloss is shown
            c = card.citations[0].citation
            assert f"{c.passage.doc} · line" in card.citations[0].plain
            statement = card.turn.answer.statements[0]
            assert f"{statement.text} [{statement.citation}]" in card.query_one(".card-answer", Styled).plain
            assert str(c.passage.line_start) in card.citations[0].plain
            await pilot.press("ctrl+n")
            await ask(pilot, "What dose of fulvestrant was effective?")
            [card] = cards(app)
            text = "\n".join(v.plain for v in card.citations)
            assert "氟维司群 = fulvestrant" in text and "500 mg" in text


def test_selecting_a_citation_previews_its_span(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            view = cards(app)[0].citations[1]
            await pilot.click(view)
            await settle(pilot)
            pane = app.query_one(SourcePane)
            assert app.source_open and pane.display and pane.citation == view.citation
            p = view.citation.passage
            source = pane.view
            assert source.highlighted == literal(assistant.source(p.doc)[p.start : p.end])
            first, last = source.span_rows
            assert source.row_text(source.line_row(p.line_start)).plain.split()[0] == str(p.line_start)
            marked = "".join(source.rows[r][1].plain for r in range(first, last + 1))
            assert source.highlighted.split("\n")[0].replace(" ", "") in marked.replace(" ", "")
            assert source.scroll_y <= first < source.scroll_y + source.size.height  # scrolled to it
            assert app.focused is source
            await pilot.press("escape")
            await pilot.pause()
            assert not app.source_open and app.focused is view
            # by keys: the focused citation opens with enter
            await pilot.press("enter")
            await settle(pilot)
            assert app.source_open and pane.citation == view.citation
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert not app.source_open

    run(scenario())


def test_export_writes_markdown_matching_the_cards(assistant: Any, export_dir: Path) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant, export_dir=export_dir)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, ZH)
            await ask(pilot, EN)
            await pilot.press("ctrl+s")
            await pilot.press("ctrl+s")
            await pilot.pause()
            files = sorted(export_dir.glob("conversation-*.md"))
            assert len(files) == 2 and app.last_export in files  # the second export did not overwrite
            text = files[0].read_text(encoding="utf-8")
            from markdown_it import MarkdownIt

            html = MarkdownIt("commonmark").render(text)
            assert f"<h2>1. {ZH}</h2>" in html and f"<h2>2. {EN}</h2>" in html
            for card in cards(app):
                for view in card.citations:
                    p = view.citation.passage
                    assert f"<h3>[{view.citation.rank}] {p.title}</h3>" in html
                    assert f"{p.doc} · lines {p.line_start}" in html or f"{p.doc} · line {p.line_start}" in html
                    assert p.text.splitlines()[0][:10] in html
            assert "fulvestrant" in text

    run(scenario())


def test_follow_up_searches_with_the_previous_question(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, "Which drug is the representative SERD?")
            await ask(pilot, "and what dose?")
            first, second = cards(app)
            assert second.turn.history == ("Which drug is the representative SERD?",)
            answer = second.turn.answer
            assert answer is not None and "SERD" in answer.searched
            assert "Searched with the earlier question" in meta(second) and "Searched" not in meta(first)
            await pilot.press("ctrl+n")  # a new conversation forgets the context
            await settle(pilot)
            await ask(pilot, "and what dose?")
            [card] = cards(app)
            assert card.turn.history == ()

    run(scenario())


def test_abstention_is_clear_and_keeps_the_nearest_passages_collapsed(assistant: Any) -> None:
    async def scenario() -> None:
        app = ChatApp(assistant=assistant.variant(abstain_threshold=1e9))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, "How do I bake sourdough bread?")
            [card] = cards(app)
            assert str(card.query_one(".abstain", Static).render()) == ABSTAIN
            nearest = card.query_one(Collapsible)
            assert nearest.collapsed and nearest.query(CitationView)

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_cjk_and_long_lines_wrap_inside_the_screen(assistant: Any, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        from rich.cells import cell_len

        app = ChatApp(assistant=assistant)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await ask(pilot, ZH + " " + "x" * 300)
            view = app.query_one("#conversation")
            assert view.max_scroll_x == 0
            for widget in app.query(Styled):
                width = widget.content_size.width
                assert widget.region.right <= size[0]
                assert all(cell_len(line.plain) <= width for line in widget.lines(width))
            await pilot.click(cards(app)[0].citations[0])
            await settle(pilot)
            source = app.query_one(SourcePane).view
            width = source.scrollable_content_region.width
            assert app.source_open and source.max_scroll_x == 0 and source.region.right <= size[0]
            assert all(cell_len(source.row_text(r).plain) <= width for r in range(len(source.rows)))

    run(scenario())
