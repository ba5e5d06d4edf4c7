"""Document text is shown literally: markup-like text stays text, escape sequences never reach the terminal.

This test builds its own tiny index (two short documents) through the app's own loading worker.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tui_support import ask, settle

from assistant.settings import Settings
from assistant.tui.app import ChatApp
from assistant.tui.source import SourcePane
from assistant.tui.widgets import AnswerCard

MARKUP = "[bold]red[/bold] [link=http://x]click[/link] \x1b[31mred"
DOC = (
    "氟维司群用药说明\n\n"
    f"{MARKUP} 氟维司群（fulvestrant）是选择性雌激素受体下调剂，每月注射一次 500 mg 是有效剂量。\n\n"
    "地舒单抗可以推迟骨相关事件的发生，与唑来膦酸相比效果更好。\n"
)


def test_markup_and_escapes_in_documents_are_shown_literally(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "markup.txt").write_text(DOC, encoding="utf-8")
    other = "乳腺癌内分泌治疗的研究进展。\n\n内分泌治疗是重要手段。\n"
    (seeds / "other.txt").write_text(other, encoding="utf-8")

    async def scenario() -> None:
        app = ChatApp(Settings(seeds=seeds, index=tmp_path / "index"))
        async with app.run_test(size=(100, 35)) as pilot:
            await settle(pilot)  # the app builds the index in its worker
            assert app.ready and app.report.documents == 2
            await ask(pilot, "氟维司群的有效剂量是多少？")
            [card] = app.query(AnswerCard)
            views = [v for v in card.citations if "氟维司群" in v.plain]
            assert views, [v.plain for v in card.citations]
            shown = views[0].plain
            assert "[bold]red[/bold]" in shown and "[link=http://x]click[/link]" in shown
            assert "\x1b" not in shown
            screen = app.export_screenshot()
            assert "[bold]red[/bold]" in screen and "\x1b" not in screen

            await pilot.click(views[0])
            await settle(pilot)
            view = app.query_one(SourcePane).view
            rows = "\n".join(view.row_text(r).plain for r in range(len(view.rows)))
            assert "[bold]red[/bold] [link=http://x]click[/link] ␛[31mred" in rows
            assert "\x1b" not in rows
            screen = app.export_screenshot()
            assert "[link=http://x]click[/link]" in screen and "\x1b" not in screen

    asyncio.run(scenario())
