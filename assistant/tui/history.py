"""The chat's memory: conversations (questions and their cited answers), the questions asked and a few
settings (the theme, the export folder), kept in SQLite in the user's data folder.

The folder is ``$ASSISTANT_DATA``, else platformdirs' ``user_data_dir("assistant")``
(``~/.local/share/assistant`` on Linux); nothing is ever written beside the documents or the index. One
file, ``history.sqlite3``, in WAL mode: every change is one transaction, so two chats open at once both
keep what they wrote (SQLite's own locking; a writer waits up to :data:`BUSY_SECONDS`). A file SQLite
cannot read is set aside — renamed to ``history.sqlite3.damaged-YYYYmmdd-HHMMSS``, never deleted — and
a new one started, with a warning.

Answers are stored as JSON of their records (:func:`answer_to_json`), so that a past conversation is
shown exactly as it was answered, even after the documents changed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ..records import Answer, Citation, Hint, Passage, Statement

FILE = "history.sqlite3"
BUSY_SECONDS = 5.0
SCHEMA = 1
MAX_QUESTIONS = 500
"""Questions offered by ↑ in the question box, newest last."""

_TABLES = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    updated REAL NOT NULL,
    seeds TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    conversation INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    asked REAL NOT NULL,
    k INTEGER NOT NULL,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    answer TEXT,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS turns_of_conversation ON turns (conversation, position);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_COLUMNS = {
    "conversations": {"id", "started", "updated", "seeds"},
    "turns": {"id", "conversation", "position", "question", "asked", "k", "mode", "state", "answer", "error"},
    "settings": {"key", "value"},
}


def data_folder() -> Path:
    """Where the chat keeps its memory: ``$ASSISTANT_DATA``, else the user's data folder (platformdirs)."""
    override = os.environ.get("ASSISTANT_DATA")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("assistant", appauthor=False))


def export_folder(chosen: str | None = None) -> Path:
    """Where exports go: ``$ASSISTANT_EXPORT``, else the folder chosen in the chat, else the user's
    documents folder (platformdirs' ``user_documents_dir()``)."""
    override = os.environ.get("ASSISTANT_EXPORT")
    if override:
        return Path(override).expanduser()
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_documents_dir

    return Path(user_documents_dir())


# ---------------------------------------------------------------------- answers as JSON


def answer_to_json(answer: Answer) -> str:
    """An answer as JSON text (every field of the records; :func:`answer_from_json` reads it back)."""
    return json.dumps(asdict(answer), ensure_ascii=False)


def _build(cls: Any, data: dict[str, Any], **nested: Any) -> Any:
    """``cls(**data)`` keeping only its fields (records written by an older or newer version still read)."""
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    values.update({k: v for k, v in nested.items() if k in names})
    return cls(**values)


def _span(value: Any) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if value else None


def _passage(data: dict[str, Any]) -> Passage:
    passage: Passage = _build(Passage, data, sentences=tuple(tuple(s) for s in data.get("sentences", ())))
    return passage


def _hints(items: Any) -> tuple[Hint, ...]:
    return tuple(_build(Hint, h) for h in items or ())


def answer_from_json(text: str) -> Answer:
    """The answer :func:`answer_to_json` wrote. Raises ValueError (or KeyError, TypeError) when it
    cannot be read."""
    data = json.loads(text)
    citations = tuple(
        _build(Citation, c, passage=_passage(c["passage"]), best_sentence=_span(c.get("best_sentence")),
               hints=_hints(c.get("hints")))
        for c in data.get("citations", ())
    )
    statements = tuple(_build(Statement, s, span=_span(s.get("span")) or (0, 0), hints=_hints(s.get("hints")))
                       for s in data.get("statements", ()))
    answer: Answer = _build(Answer, data, citations=citations, statements=statements,
                            notices=tuple(data.get("notices", ())),
                            also_searched=tuple(data.get("also_searched", ())),
                            uncovered=tuple(data.get("uncovered", ())),
                            timings=dict(data.get("timings", {})))
    return answer


# ---------------------------------------------------------------------- the store


@dataclass(frozen=True)
class ConversationInfo:
    """One past conversation, as listed."""

    id: int
    started: float
    """Seconds since the epoch."""
    updated: float
    questions: int
    first: str
    """Its first question."""
    seeds: str

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.updated).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class StoredTurn:
    """One question of a past conversation and what became of it (``answer`` None unless answered, or
    when the stored answer could not be read)."""

    id: int
    position: int
    question: str
    k: int
    mode: str
    state: str
    answer: Answer | None
    error: str


class HistoryError(Exception):
    """The history cannot be kept (the folder cannot be written); the chat goes on without it."""


class History:
    """Conversations, questions and settings in ``folder/history.sqlite3``. Use :meth:`open`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, folder: Path | None = None) -> tuple[History, str]:
        """The history in ``folder`` (default :func:`data_folder`), and a warning to show (empty if
        none). A damaged file is renamed aside and a new one started. Raises HistoryError when no history
        can be kept there."""
        folder = folder if folder is not None else data_folder()
        path = folder / FILE
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create {folder}: {exc.strerror or exc}") from exc
        warning = ""
        try:
            return cls(path, cls._connect(path)), warning
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise HistoryError(f"{path} is locked by another program ({exc})") from exc
            aside = cls._set_aside(path)
            warning = (f"The chat history {path} could not be read ({exc}); it was kept as {aside.name} "
                       "and a new history started.")
        except OSError as exc:
            raise HistoryError(f"cannot open {path}: {exc.strerror or exc}") from exc
        try:
            return cls(path, cls._connect(path)), warning
        except (sqlite3.Error, OSError) as exc:
            raise HistoryError(f"cannot open {path}: {exc}") from exc

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            check = db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"the file is damaged ({check[0] if check else 'no answer'})")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA:
                raise sqlite3.DatabaseError(f"it was written by a newer version (schema {version})")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                have = {row[1] for row in db.execute(f"PRAGMA table_info({quoted})")}
                if table not in _COLUMNS or not _COLUMNS[table] <= have:
                    raise sqlite3.DatabaseError(f"it holds a table {table!r} that is not the chat's")
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.OperationalError:
                pass  # a file system without shared memory: the default rollback journal
            db.execute("BEGIN IMMEDIATE")
            for statement in _TABLES.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA}")
            db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _set_aside(path: Path) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        for n in range(1, 1000):
            aside = path.with_name(f"{path.name}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))
            if not aside.exists():
                break
        path.rename(aside)
        for suffix in ("-wal", "-shm"):  # the journal belongs with the file it journals
            extra = path.with_name(path.name + suffix)
            if extra.exists():
                extra.rename(aside.with_name(aside.name + suffix))
        return aside

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ writing

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        with self._transaction():
            cursor = self._db.execute(sql, args)
            return int(cursor.lastrowid or 0)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def new_conversation(self, seeds: str = "") -> int:
        """A new, empty conversation; returns its id."""
        now = time.time()
        return self._write("INSERT INTO conversations (started, updated, seeds) VALUES (?, ?, ?)", (now, now, seeds))

    def add_turn(self, conversation: int, position: int, question: str, k: int, mode: str, state: str) -> int:
        """A question asked in ``conversation``; returns the turn's id."""
        now = time.time()
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO turns (conversation, position, question, asked, k, mode, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (conversation, position, question, now, k, mode, state))
            self._db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation))
            return int(cursor.lastrowid or 0)

    def update_turn(self, turn: int, state: str, answer: Answer | None = None, error: str = "") -> None:
        """What became of a question: its state, and its answer or error."""
        self._write("UPDATE turns SET state = ?, answer = ?, error = ? WHERE id = ?",
                    (state, answer_to_json(answer) if answer is not None else None, error, turn))

    def set(self, key: str, value: str) -> None:
        self._write("INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # ------------------------------------------------------------------ reading

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def questions(self, limit: int = MAX_QUESTIONS) -> list[str]:
        """The questions asked, oldest first (the newest ``limit``; a question repeated at once, once)."""
        rows = self._db.execute("SELECT question FROM turns ORDER BY asked DESC, id DESC LIMIT ?", (limit,))
        out: list[str] = []
        for (question,) in reversed(rows.fetchall()):
            if not out or out[-1] != question:
                out.append(question)
        return out

    def conversations(self, limit: int = 200) -> list[ConversationInfo]:
        """Past conversations that hold at least one question, newest first."""
        rows = self._db.execute(
            "SELECT c.id, c.started, c.updated, c.seeds, COUNT(t.id), "
            "(SELECT question FROM turns WHERE conversation = c.id ORDER BY position LIMIT 1) "
            "FROM conversations c JOIN turns t ON t.conversation = c.id "
            "GROUP BY c.id ORDER BY c.updated DESC, c.id DESC LIMIT ?", (limit,))
        return [ConversationInfo(id=r[0], started=r[1], updated=r[2], seeds=r[3], questions=r[4], first=r[5] or "")
                for r in rows.fetchall()]

    def turns(self, conversation: int) -> list[StoredTurn]:
        """The questions of a conversation, in order, with their answers."""
        rows = self._db.execute("SELECT id, position, question, k, mode, state, answer, error FROM turns "
                                "WHERE conversation = ? ORDER BY position, id", (conversation,))
        out = []
        for tid, position, question, k, mode, state, stored, error in rows.fetchall():
            answer = None
            if stored:
                try:
                    answer = answer_from_json(stored)
                except (ValueError, KeyError, TypeError, IndexError):
                    state, error = "failed", "This answer could not be read back from the history."
            elif state in ("waiting", "searching"):
                state, error = "cancelled", "Not answered: the chat was closed first."
            out.append(StoredTurn(tid, position, question, k, mode, state, answer, error))
        return out


def _is_busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error): one writer at a time, across processes."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
