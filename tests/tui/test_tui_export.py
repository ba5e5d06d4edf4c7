"""The Markdown export: valid CommonMark (checked by parsing it with markdown-it-py), the question and
the documents' text written literally, pages in the citations, a chosen folder, never overwriting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from tui_support import DOSE, EN, FLV, SERD, SIZE, FakeAssistant, ask, run, settle

from assistant.records import Answer, Citation, Passage, Statement
from assistant.tui.app import ChatApp
from assistant.tui.conversation import Turn, conversation_markdown, export

HOSTILE = "What is # * _ [x] <b>bold</b> & `code` 1. - + ! \\ ~~no~~ | a |?"


def parse(markdown: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(markdown)


def texts(tokens: list[Token]) -> list[str]:
    """The literal text the reader sees, token by token (inline children included)."""
    out: list[str] = []
    for token in tokens:
        if token.type == "text":
            out.append(token.content)
        out.extend(texts(token.children or []))
    return out


def heading_text(tokens: list[Token], level: str) -> list[str]:
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == level:
            found.append("".join(texts([tokens[i + 1]])))
    return found


def turn_for(question: str, answer: Answer) -> Turn:
    return Turn(1, question, (), 5, "hybrid", "answered", answer)


def test_export_is_commonmark_with_the_question_literal(fake: FakeAssistant) -> None:
    answer = fake.ask(HOSTILE)
    markdown = conversation_markdown([turn_for(HOSTILE, answer)])
    tokens = parse(markdown)
    assert heading_text(tokens, "h2") == [f"1. {HOSTILE}"]  # every character as typed, no markup
    html = MarkdownIt("commonmark").render(markdown)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<em>" not in html and "<code>" not in html and "<s>" not in html and "<table>" not in html


def test_best_sentences_are_emphasised_next_to_chinese_punctuation(fake: FakeAssistant) -> None:
    """A best sentence that ends in 。 followed by a Chinese character: `**…。**氟` would not close in
    CommonMark; the export's emphasis does."""
    text = "前文。氟维司群是代表性药物。后文继续。"
    b = text.index("氟")
    e = text.index("。", b) + 1
    passage = Passage(1, "a.md", "标题", "一 › 二", 0, len(text), 1, 1, text, page_start=2, page_end=2,
                      format="pdf")
    cited = Citation(1, passage, 1.0, (b, e))
    answer = Answer(question="q", language="zh", expanded_query="q", abstained=False, citations=(cited,),
                    mode="hybrid", statements=(Statement(text[b:e], 1, (b, e)),))
    markdown = conversation_markdown([turn_for("药物？", answer)])
    tokens = parse(markdown)
    shown = "".join(texts(tokens))
    assert "**" not in shown and "__" not in shown  # no delimiter left over as text
    html = MarkdownIt("commonmark").render(markdown)
    assert f"<strong>{text[b:e]}</strong>" in html
    assert "p. 2" in shown


def test_export_carries_statements_pages_and_glosses(fake: FakeAssistant) -> None:
    answer = fake.ask(EN + " SONIA")
    markdown = conversation_markdown([turn_for(answer.question, answer)])
    shown = "\n".join(texts(parse(markdown)))
    assert answer.statements[0].text in shown
    assert f"{FLV.term} = {FLV.gloss}" in shown
    assert "also searched: 氟维司群, 药物, 剂量".capitalize() in shown
    assert "The documents never mention SONIA" in shown
    assert f"[1] {SERD.title}" in shown and f"[2] {DOSE.title}" in shown
    assert f"{DOSE.doc} · line 25 · p. 3–4 · OCR" in shown
    assert "^0.9" not in shown and "⇒" not in shown


def test_export_never_overwrites(tmp_path: Path) -> None:
    answer = FakeAssistant().ask("Which drug is the representative SERD?")
    turns = [turn_for(answer.question, answer)]
    now = datetime(2024, 5, 6, 7, 8, 9)
    existing = tmp_path / "conversation-20240506-070809.md"
    existing.write_text("keep me", encoding="utf-8")
    path = export(turns, tmp_path, now)
    assert path.name == "conversation-20240506-070809-2.md"
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert path.read_text(encoding="utf-8") == conversation_markdown(turns, now)


def test_ctrl_s_exports_to_the_chosen_folder_and_names_it(fake: FakeAssistant, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_EXPORT", raising=False)
    documents = tmp_path / "Documents"
    monkeypatch.setattr("platformdirs.user_documents_dir", lambda: str(documents))
    chosen = tmp_path / "chosen" / "exports"

    async def scenario() -> None:
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await ask(pilot, EN)
            await pilot.press("ctrl+s")
            await pilot.pause()
            [first] = documents.glob("conversation-*.md")  # by default, the documents folder
            assert str(first) in list(app._notifications)[-1].message
            app.action_export_folder()
            await settle(pilot)
            field = app.screen.query_one("#folder-input")
            field.value = str(chosen)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await pilot.pause()
            [second] = chosen.glob("conversation-*.md")
            assert str(second) in list(app._notifications)[-1].message

    run(scenario())
    assert not list(Path.cwd().glob("conversation-*.md"))  # never the current folder

    async def again() -> None:  # the chosen folder is remembered
        app = ChatApp(assistant=fake)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.export_target() == chosen.resolve()

    run(again())


def test_a_long_question_is_folded_in_its_heading_and_kept_whole(fake: FakeAssistant) -> None:
    question = ("What dose of fulvestrant was effective in the trial? " * 140)[:7000].strip()
    markdown = conversation_markdown([turn_for(question, fake.ask(question))])
    tokens = parse(markdown)
    [heading] = heading_text(tokens, "h2")
    assert heading.endswith(f"… ({len(question):,} characters)") and len(heading) < 260
    assert question in " ".join(texts(tokens))


def test_the_space_before_and_after_a_best_sentence_is_kept(fake: FakeAssistant) -> None:
    text = "Dapagliflozin is an SGLT2 inhibitor. The recommended dose is 10 mg once daily. It is taken by mouth."
    b = text.index("The")
    e = text.index("daily.") + len("daily.")
    passage = Passage(1, "hf.md", "Heart failure drugs", "", 0, len(text), 3, 3, text, format="markdown")
    answer = Answer(question="q", language="en", expanded_query="q", abstained=False,
                    citations=(Citation(1, passage, 1.0, (b, e)),), mode="hybrid",
                    statements=(Statement(text[b:e], 1, (b, e)),))
    html = MarkdownIt("commonmark").render(conversation_markdown([turn_for("dose?", answer)]))
    assert f"inhibitor. <strong>{text[b:e]}</strong> It is taken" in html
