"""The gold set: questions with evidence quoted verbatim from the seed documents.

Each JSONL line is ``{id, question, language, kind, evidence: [{doc, quote}]}``. A quote is resolved
to character offsets in the decoded original file, ignoring whitespace (PDF text breaks lines and
spaces characters apart). A quote that is missing or ambiguous fails loudly, so the gold set cannot
drift from the seeds. Unanswerable questions have an empty ``evidence`` list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import GoldError
from ..ingest import read_source
from ..text import has_cjk

KINDS = ("factual", "numeric", "mechanism", "paraphrase", "multi", "unanswerable")


@dataclass(frozen=True)
class Evidence:
    id: str
    doc: str
    start: int
    end: int
    quote: str

    @property
    def language(self) -> str:
        return "zh" if has_cjk(self.quote) else "en"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    language: str
    kind: str
    evidence: tuple[Evidence, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)

    @property
    def direction(self) -> str:
        """Language direction, e.g. ``en→zh``; ``en→none`` for unanswerable questions."""
        if not self.evidence:
            return f"{self.language}→none"
        langs = {e.language for e in self.evidence}
        target = "zh" if "zh" in langs else "en"
        return f"{self.language}→{target}"


def locate(source: str, quote: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` in ``source`` where ``quote`` occurs, ignoring whitespace on both sides."""
    positions = [i for i, ch in enumerate(source) if not ch.isspace()]
    compact = "".join(source[i] for i in positions)
    needle = "".join(ch for ch in quote if not ch.isspace())
    if not needle:
        return []
    found: list[tuple[int, int]] = []
    at = compact.find(needle)
    while at >= 0:
        found.append((positions[at], positions[at + len(needle) - 1] + 1))
        at = compact.find(needle, at + 1)
    return found


def load_gold(path: Path, seeds: Path) -> list[Question]:
    """Load and resolve the gold set. Raises GoldError listing every problem."""
    problems: list[str] = []
    questions: list[Question] = []
    sources: dict[str, str] = {}
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"cannot read gold set {path}: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, text, lang, kind = item["id"], item["question"], item["language"], item["kind"]
            evidence = item["evidence"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {number}: not a gold item with id, question, language, kind, evidence")
            continue
        if qid in seen:
            problems.append(f"{qid}: duplicate id")
        seen.add(qid)
        if lang not in ("zh", "en") or kind not in KINDS:
            problems.append(f"{qid}: language must be zh/en and kind one of {', '.join(KINDS)}")
        if (kind == "unanswerable") != (not evidence):
            problems.append(f"{qid}: only unanswerable questions have empty evidence")
        resolved: list[Evidence] = []
        for j, ev in enumerate(evidence):
            doc, quote = ev.get("doc", ""), ev.get("quote", "")
            if doc not in sources:
                try:
                    sources[doc] = read_source(seeds, doc)
                except Exception:  # noqa: BLE001 - reported below as a gold problem
                    sources[doc] = ""
            spans = locate(sources[doc], quote)
            if len(spans) != 1:
                what = "not found" if not spans else f"found {len(spans)} times"
                problems.append(f"{qid}: quote {quote[:30]!r}… {what} in {doc}")
                continue
            resolved.append(Evidence(f"{qid}#{j}", doc, spans[0][0], spans[0][1], quote))
        questions.append(Question(qid, text, lang, kind, tuple(resolved)))
    if problems:
        raise GoldError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    return questions
