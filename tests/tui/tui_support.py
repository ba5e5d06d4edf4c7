"""Helpers for the chat tests: fixed data, stand-in assistants, pilot steps.

Pilot tests drive the app over the real seeds index (the session ``assistant`` fixture). Snapshot tests
use :class:`FakeAssistant`, whose answers and document are fixed here, so that the pictures change
only when the chat's own look changes, not when retrieval is retuned.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from types import SimpleNamespace
from typing import Any

from textual.pilot import Pilot

from assistant.records import Answer, Citation, Hint, Passage, Statement
from assistant.settings import Settings

DOC = "demo/serd.pdf"
TITLE = "腔面型乳腺癌内分泌治疗耐药的研究进展"
FILLER = [f"第 {n} 段：内分泌治疗（endocrine therapy, ET）是延长患者总生存期的重要手段，但耐药问题尚未解决。"
          for n in range(1, 19)]
SOURCE = "\n".join([
    TITLE,
    "摘要：腔面型乳腺癌（HR+/HER2- BRCA）是乳腺癌中最普遍的类型。",
    *FILLER,
    "3 内分泌耐药治疗及进展",
    "3.1 SERDs",
    "氟维司群（fulvestrant，FLV）是 SERDs 的代表性药物，可阻断雌激素受体二聚化和 DNA 结合，",
    "增加受体周转，并抑制受体的核摄取［62］。",
    "CONFIRM 试验表明，FLV 注射剂 500 mg 是一种有效剂量，疗效优于 250 mg［63］。",
    *FILLER[:12],
    "",
])


def _passage(pid: int, section: str, first: str, last: str, pages: tuple[int, int], ocr: bool = False) -> Passage:
    start = SOURCE.index(first)
    end = SOURCE.index(last) + len(last)
    line_start = SOURCE.count("\n", 0, start) + 1
    line_end = SOURCE.count("\n", 0, end - 1) + 1
    text = SOURCE[start:end].replace("\n", "")
    return Passage(pid, DOC, TITLE, section, start, end, line_start, line_end, text, ((0, len(text)),),
                   page_start=pages[0], page_end=pages[1], format="pdf", ocr=ocr)


SERD = _passage(1, "3 内分泌耐药治疗及进展 › 3.1 SERDs", "氟维司群（fulvestrant", "核摄取［62］。", (3, 3))
DOSE = _passage(2, "3 内分泌耐药治疗及进展 › 3.1 SERDs", "CONFIRM", "250 mg［63］。", (3, 4), ocr=True)
FLV = Hint("氟维司群", "fulvestrant (FLV)", "glossary")
DRUG = Hint("药物", "drug", "dictionary")


class FakeAssistant:
    """Stands in for :class:`assistant.core.Assistant` with fixed answers over one fixed document."""

    def __init__(self, abstain: bool = False) -> None:
        self.settings = Settings()
        self.report: Any = None
        self.abstain = abstain
        self.asked: list[tuple[str, int | None, str | None, tuple[str, ...]]] = []

    def open(self, progress: Any = None, rebuild: bool = False, fallback: bool = False) -> Any:
        self.report = SimpleNamespace(documents=1, passages=2, rebuilt=False, warnings=())
        return self.report

    def warm(self) -> None:
        pass

    def ask(self, question: str, k: int | None = None, mode: str | None = None,
            history: Sequence[str] = ()) -> Answer:
        self.asked.append((question, k, mode, tuple(history)))
        english = question.isascii()
        phrase = "FLV 注射剂 500 mg 是一种有效剂量"
        best = DOSE.text.index(phrase)
        citations = (
            Citation(1, SERD, 0.0952, (0, SERD.text.index("，") + 1), (FLV, DRUG) if english else ()),
            Citation(2, DOSE, 0.0476, (best, best + len(phrase)), (FLV,) if english else ()),
        )[: k or 5]
        expanded = (f"{question} ⇒ 氟维司群^0.9 药物^0.35 剂量^0.9" if english else question)
        first = citations[0]
        b, e = first.best_sentence or (0, 0)
        statements = () if self.abstain else (
            Statement(first.passage.text[b:e], 1, (b, e), (FLV,) if english else ()),
            Statement(phrase, 2, (best, best + len(phrase)), ()),
        )[: len(citations)]
        return Answer(question=question, language="en" if english else "zh", expanded_query=expanded,
                      abstained=self.abstain, citations=citations, mode=mode or "hybrid",
                      searched=" ".join([*history[-1:], question]), confidence=0.5, statements=statements,
                      also_searched=("氟维司群", "药物", "剂量") if english else (),
                      uncovered=("SONIA",) if "SONIA" in question else ())

    def source(self, doc: str) -> str:
        return SOURCE


class GatedAssistant:
    """Wraps an assistant; ``open`` and ``ask`` wait until their gate is set (to test waiting states)."""

    def __init__(self, inner: Any, gate_open: bool = True, gate_ask: bool = True) -> None:
        self.inner = inner
        self.settings = inner.settings
        self.report: Any = None
        self.open_gate = threading.Event()
        self.ask_gate = threading.Event()
        if not gate_open:
            self.open_gate.set()
        if not gate_ask:
            self.ask_gate.set()

    def open(self, progress: Any = None, rebuild: bool = False, fallback: bool = False) -> Any:
        if progress:
            progress("embed", 1, 4)
        self.open_gate.wait(10)
        self.report = self.inner.report or self.inner.open(progress=progress)
        return self.report

    def warm(self) -> None:
        self.inner.warm()

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        self.ask_gate.wait(10)
        return self.inner.ask(*args, **kwargs)

    def source(self, doc: str) -> str:
        return self.inner.source(doc)


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the screen catch up with their messages."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def ask(pilot: Pilot, question: str) -> None:
    """Type a question (as if pasted) and send it with enter."""
    box = pilot.app.query_one("#question")
    box.value = question  # type: ignore[attr-defined]
    await pilot.press("enter")
    await settle(pilot)


def still(before: Callable[[Pilot], Awaitable[None]] | None = None) -> Callable[[Pilot], Awaitable[None]]:
    """A snapshot's ``run_before``: no cursor blink, index loaded, then ``before``."""

    async def run(pilot: Pilot) -> None:
        pilot.app.query_one("#question").cursor_blink = False  # type: ignore[attr-defined]
        await settle(pilot)
        if before is not None:
            await before(pilot)
        await settle(pilot)

    return run


SIZE = (100, 35)
ZH = "地舒单抗与唑来膦酸相比效果如何？"
EN = "Which drug is the representative SERD and what dose was effective?"


def run(scenario: Coroutine[Any, Any, None]) -> None:
    """Run a pilot scenario (the tests are plain functions: no async plugin needed)."""
    asyncio.run(scenario)


def cards(app: Any) -> list[Any]:
    from assistant.tui.widgets import AnswerCard

    return list(app.query(AnswerCard))


def meta(card: Any) -> str:
    """The card's language / mode / searched / expanded lines, as shown."""
    from assistant.tui.widgets import Styled

    return card.query_one(".card-meta", Styled).plain
