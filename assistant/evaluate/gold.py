"""Gold questions and conversations, with evidence quoted verbatim from a collection's documents.

``gold.jsonl``: one question per line, ``{id, question, language, kind, evidence: [{doc, quote}]}``.
``conversations.jsonl``: one conversation per line, ``{id, turns: [{question, language, evidence}]}``;
each turn is asked with the earlier questions of its conversation as history.

A quote is resolved to character offsets in the decoded original file, ignoring whitespace (PDF text
breaks lines and spaces characters apart). A quote that is missing or found more than once fails
loudly, so a gold set cannot drift from its documents. Unanswerable questions and turns have an empty
``evidence`` list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GoldError
from ..ingest import read_source
from ..text import has_cjk

KINDS = ("factual", "numeric", "mechanism", "paraphrase", "multi", "unanswerable")
TURN_KINDS = ("opening", "follow-up")
"""The kind of a conversation turn: its first question, or one that leans on the earlier ones."""


@dataclass(frozen=True)
class Evidence:
    id: str
    doc: str
    """Document path relative to the collection's documents folder."""
    start: int
    """Offset of the quote's first character in the decoded original file."""
    end: int
    """Offset one past its last character."""
    quote: str

    @property
    def language(self) -> str:
        return "zh" if has_cjk(self.quote) else "en"


@dataclass(frozen=True)
class Question:
    """A gold question, or one turn of a gold conversation (``kind`` is then ``opening`` or ``follow-up``)."""

    id: str
    question: str
    language: str
    kind: str
    evidence: tuple[Evidence, ...]
    history: tuple[str, ...] = ()
    """For a conversation turn: the earlier questions of the conversation, oldest first."""

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


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Question, ...]
    """The turns in order; turn *i* carries the questions of turns 0..i-1 as its history."""


DIRECTIONS = ("zh→zh", "en→zh", "zh→en", "en→en")
"""The four language directions of answerable questions (question language → evidence language)."""


def locate(source: str, quote: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` in ``source`` where ``quote`` occurs, ignoring whitespace on both sides."""
    return _Compact(source).find(quote)


class _Compact:
    """A text without its whitespace, with the original offset of every character kept."""

    def __init__(self, source: str) -> None:
        self.positions = [i for i, ch in enumerate(source) if not ch.isspace()]
        self.text = "".join(source[i] for i in self.positions)

    def find(self, quote: str) -> list[tuple[int, int]]:
        needle = "".join(ch for ch in quote if not ch.isspace())
        if not needle:
            return []
        found: list[tuple[int, int]] = []
        at = self.text.find(needle)
        while at >= 0:
            found.append((self.positions[at], self.positions[at + len(needle) - 1] + 1))
            at = self.text.find(needle, at + 1)
        return found


class _Resolver:
    """Resolves quotes against the documents of one folder, reading each document once, and collects
    every problem."""

    def __init__(self, documents: Path) -> None:
        self.documents = documents
        self.sources: dict[str, _Compact] = {}
        self.problems: list[str] = []

    def evidence(self, owner: str, items: Any) -> tuple[Evidence, ...]:
        if not isinstance(items, list):
            self.problems.append(f"{owner}: evidence must be a list of {{doc, quote}}")
            return ()
        out: list[Evidence] = []
        for j, ev in enumerate(items):
            if not isinstance(ev, dict) or not isinstance(ev.get("doc"), str) or not isinstance(ev.get("quote"), str):
                self.problems.append(f"{owner}: evidence {j} is not {{doc, quote}}")
                continue
            doc, quote = ev["doc"], ev["quote"]
            if doc not in self.sources:
                try:
                    self.sources[doc] = _Compact(read_source(self.documents, doc))
                except Exception:  # noqa: BLE001 - reported below as a gold problem
                    self.sources[doc] = _Compact("")
            spans = self.sources[doc].find(quote)
            if len(spans) != 1:
                what = "not found" if not spans else f"found {len(spans)} times"
                self.problems.append(f"{owner}: quote {quote[:30]!r}… {what} in {doc}")
                continue
            out.append(Evidence(f"{owner}#{j}", doc, spans[0][0], spans[0][1], quote))
        return tuple(out)


def _lines(path: Path, what: str) -> Iterator[tuple[int, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError:
            yield number, None


def _raise(problems: list[str], path: Path) -> None:
    if problems:
        raise GoldError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))


def load_gold(path: Path, documents: Path) -> list[Question]:
    """Load and resolve a gold set against the documents in ``documents``. Raises GoldError listing
    every problem (or a one-line GoldError when the file cannot be read)."""
    resolver = _Resolver(documents)
    problems = resolver.problems
    questions: list[Question] = []
    seen: set[str] = set()
    for number, item in _lines(path, "gold set"):
        try:
            qid, text, lang, kind = item["id"], item["question"], item["language"], item["kind"]
            evidence = item["evidence"]
        except (KeyError, TypeError):
            problems.append(f"line {number}: not a gold item with id, question, language, kind, evidence")
            continue
        if qid in seen:
            problems.append(f"{qid}: duplicate id")
        seen.add(qid)
        if lang not in ("zh", "en") or kind not in KINDS:
            problems.append(f"{qid}: language must be zh/en and kind one of {', '.join(KINDS)}")
        if (kind == "unanswerable") != (not evidence):
            problems.append(f"{qid}: only unanswerable questions have empty evidence")
        questions.append(Question(str(qid), str(text), str(lang), str(kind), resolver.evidence(str(qid), evidence)))
    _raise(problems, path)
    return questions


def load_conversations(path: Path, documents: Path) -> list[Conversation]:
    """Load and resolve gold conversations. Raises GoldError listing every problem."""
    resolver = _Resolver(documents)
    problems = resolver.problems
    out: list[Conversation] = []
    seen: set[str] = set()
    for number, item in _lines(path, "conversations"):
        try:
            cid, turns = item["id"], item["turns"]
            if not isinstance(turns, list) or not turns:
                raise TypeError
        except (KeyError, TypeError):
            problems.append(f"line {number}: not a conversation with id and a list of turns")
            continue
        if cid in seen:
            problems.append(f"{cid}: duplicate id")
        seen.add(cid)
        asked: list[str] = []
        resolved: list[Question] = []
        for i, turn in enumerate(turns, 1):
            tid = f"{cid}.{i}"
            try:
                text, lang, evidence = turn["question"], turn["language"], turn["evidence"]
            except (KeyError, TypeError):
                problems.append(f"{tid}: a turn needs question, language and evidence")
                continue
            if lang not in ("zh", "en") or not isinstance(text, str) or not text.strip():
                problems.append(f"{tid}: language must be zh/en and the question not empty")
            resolved.append(Question(tid, str(text), str(lang), TURN_KINDS[min(i - 1, 1)],
                                     resolver.evidence(tid, evidence), tuple(asked)))
            asked.append(str(text))
        out.append(Conversation(str(cid), tuple(resolved)))
    _raise(problems, path)
    return out
