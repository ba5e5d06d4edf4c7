"""Gold collections: a folder of documents with its gold questions and conversations.

Layout of ``evals/collections/<name>/``::

    collection.json       optional: {"documents": "docs", "tuned_on": false}
    docs/                 the documents (unless collection.json points elsewhere)
    gold.jsonl            single questions (see :mod:`.gold`)
    conversations.jsonl   optional: multi-turn conversations
    README.md             what the documents are, where they come from, their licences

``documents`` is resolved relative to the collection folder (the seeds collection points at
``../../../seeds``). ``tuned_on`` records whether the current default settings were chosen on this
collection's questions: its figures are then labelled *tuned on*, the others *held out*.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import GoldError, UsageError
from ..settings import Settings
from .gold import Conversation, Question, load_conversations, load_gold

CONFIG = "collection.json"
GOLD = "gold.jsonl"
CONVERSATIONS = "conversations.jsonl"
README = "README.md"

Pack = Literal["on", "off"]
"""The domain pack (the bundled breast-oncology glossary) on or off."""
PACKS: tuple[Pack, ...] = ("on", "off")


@dataclass(frozen=True)
class Collection:
    """Where one gold collection's files are."""

    name: str
    folder: Path
    documents: Path
    gold: Path
    conversations: Path | None
    """``conversations.jsonl``, or None when the collection has none."""
    tuned_on: bool
    """True when the current default settings were chosen on this collection's questions."""
    shares_index: bool = False
    """A gold file given on its own (``assistant eval --gold``): its documents are the assistant's
    documents folder and it is evaluated on the assistant's own index."""

    @property
    def readme(self) -> Path | None:
        path = self.folder / README
        return path if path.exists() else None

    @property
    def label(self) -> str:
        """``tuned on`` or ``held out``: how far its figures can be trusted to carry over."""
        return "tuned on" if self.tuned_on else "held out"


@dataclass(frozen=True)
class Loaded:
    """A collection with its questions and conversations resolved against its documents."""

    collection: Collection
    questions: tuple[Question, ...]
    conversations: tuple[Conversation, ...]

    @property
    def name(self) -> str:
        return self.collection.name

    @property
    def turns(self) -> tuple[Question, ...]:
        """Every turn of every conversation, in order."""
        return tuple(t for c in self.conversations for t in c.turns)


def _config(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents", "docs"), str) \
            or not isinstance(data.get("tuned_on", False), bool):
        raise GoldError(f"{path} must be {{\"documents\": \"<folder>\", \"tuned_on\": true|false}}")
    return data


def collection_at(folder: Path) -> Collection:
    """The collection in ``folder``. Raises GoldError when it has no gold.jsonl or a bad collection.json."""
    config = _config(folder)
    gold = folder / GOLD
    if not gold.exists():
        raise GoldError(f"{folder} is not a gold collection: it has no {GOLD}")
    conversations = folder / CONVERSATIONS
    return Collection(
        name=folder.name,
        folder=folder,
        documents=(folder / config.get("documents", "docs")).resolve(),
        gold=gold,
        conversations=conversations if conversations.exists() else None,
        tuned_on=bool(config.get("tuned_on", False)),
    )


def adhoc(gold: Path, documents: Path) -> Collection:
    """A gold file on its own, over ``documents`` (with ``conversations.jsonl`` beside it, if there is one)."""
    conversations = gold.parent / CONVERSATIONS
    tuned_on = bool(_config(gold.parent).get("tuned_on", False)) if gold.name == GOLD else False
    return Collection(name=gold.parent.name or "gold", folder=gold.parent, documents=documents, gold=gold,
                      conversations=conversations if conversations.exists() else None, tuned_on=tuned_on,
                      shares_index=True)


def discover(root: Path) -> list[Collection]:
    """Every collection under ``root`` (folders holding a gold.jsonl), seeds first, then by name."""
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and (p / GOLD).exists()]
    except OSError as exc:
        raise UsageError(f"cannot read the collections folder {root}: {exc.strerror or exc}") from None
    if not folders:
        raise UsageError(f"no gold collections in {root} (folders with a {GOLD})")
    folders.sort(key=lambda p: (p.name != "seeds", p.name))
    return [collection_at(p) for p in folders]


def select(collections: Sequence[Collection], names: str | None) -> list[Collection]:
    """The collections named in a comma-separated list (all of them for None). Raises UsageError."""
    if not names:
        return list(collections)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {c.name: c for c in collections}
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        raise UsageError(f"unknown collection {', '.join(unknown) or repr(names)}; "
                         f"choose from {', '.join(known)}")
    return [known[n] for n in dict.fromkeys(wanted)]


def load(collection: Collection) -> Loaded:
    """Resolve the questions and conversations. Raises GoldError (exit 2) naming every bad quote."""
    questions = load_gold(collection.gold, collection.documents)
    if not questions:
        raise GoldError(f"the gold set {collection.gold} has no questions")
    conversations = (load_conversations(collection.conversations, collection.documents)
                     if collection.conversations else [])
    return Loaded(collection, tuple(questions), tuple(conversations))


INDEX_FIELDS = ("embedder", "chunk_size", "chunk_overlap", "domain_pack", "index_type", "chinese_bigrams")
"""Settings that change what an index holds; each combination gets its own index folder. (An index-time
setting missing here is still honoured: the index notices the change and rebuilds, in the same folder.)"""


def settings_hash(settings: Settings) -> str:
    """A short digest of the index-time settings (:data:`INDEX_FIELDS` that Settings has)."""
    values = {name: getattr(settings, name) for name in INDEX_FIELDS if hasattr(settings, name)}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:10]


def pack_of(settings: Settings) -> Pack:
    return "on" if getattr(settings, "domain_pack", True) else "off"


def settings_for(collection: Collection, base: Settings, pack: Pack, **index_changes: Any) -> Settings:
    """The settings to evaluate ``collection`` with: its documents, its own glossary file (if any), the
    domain pack on or off, and an index folder of its own, ``<index>/eval/<name>-<settings hash>``.
    ``index_changes`` (index-time settings being tuned, e.g. ``chunk_size``) override the rest."""
    changes = {"domain_pack": pack == "on", **index_changes}
    if collection.shares_index and all(getattr(base, k) == v for k, v in changes.items()):
        return base.with_(seeds=collection.documents)
    settings = base.with_(seeds=collection.documents, glossary=collection.folder / "glossary.tsv", **changes)
    return settings.with_(index=base.index / "eval" / f"{collection.name}-{settings_hash(settings)}")
