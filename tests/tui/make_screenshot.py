"""Regenerate docs/chat.svg: the real chat over ./seeds and ./index, with one answered question.

Run from the repository root after ``assistant index``:  python tests/tui/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from assistant.settings import Settings
from assistant.tui.app import ChatApp

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "What dose of fulvestrant was effective?"


async def main(out: Path) -> None:
    os.environ["ASSISTANT_DATA"] = tempfile.mkdtemp()  # not the user's own history
    app = ChatApp(Settings.load(seeds=ROOT / "seeds", index=ROOT / "index"))
    async with app.run_test(size=(110, 40)) as pilot:
        app.query_one("#question").cursor_blink = False  # type: ignore[attr-defined]
        for _ in range(2):
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.query_one("#question").value = QUESTION  # type: ignore[attr-defined]
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        out.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(out.name, path=str(out.parent))
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "chat.svg"))
