"""Decode: the encoding of a text file, detected from its bytes.

UTF-8 with or without BOM, UTF-16/32 with BOM, UTF-16 without BOM (NUL in every other byte) are decided
by their bytes. Other multi-byte text is decided by :func:`decide_cjk`, a rule that prefers the
encodings Chinese users have — UTF-8, UTF-16 (with a BOM, or with NULs in Latin text), GB18030 (and GBK,
its subset), Big5 — over Japanese (cp932) and
Korean (cp949), unless the bytes decide otherwise: every candidate that decodes the bytes strictly is
scored by how plausible its characters are as text of its language (:func:`plausibility`), and a
Japanese or Korean reading wins only when it is clearly the better one. When no reading is plausible
enough, or GB18030 and Big5 are about as plausible (short files), the file is left undecided and is
skipped with a warning rather than indexed as mojibake. Single-byte (Western) text goes through
charset-normalizer, with a correction for its Latin confusions (see :func:`decode`).
"""

from __future__ import annotations

import codecs
import contextlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_LATIN_GUESSES = frozenset((
    "cp1250", "cp1254", "cp1257", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10",
    "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "latin_1", "mac_latin2", "mac_roman",
    "mac_iceland", "mac_turkish", "cp437", "cp850", "cp852", "cp857", "cp858", "cp860", "cp861", "cp863",
    "cp865",
))
"""Single-byte Latin code pages charset-normalizer often confuses with each other on short texts."""


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a BOM: Latin text then has a NUL in every other byte."""
    n = len(raw) - len(raw) % 2
    if n < 4:
        return None
    half = n // 2
    even, odd = raw[0:n:2].count(0), raw[1:n:2].count(0)
    if odd >= 0.3 * half and even <= 0.02 * half:
        encoding = "utf-16-le"
    elif even >= 0.3 * half and odd <= 0.02 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return raw[:n].decode(encoding), encoding
    except UnicodeDecodeError:
        return None


UNDECIDED = "undecided"
"""What :func:`decode_or_reason` says for multi-byte text whose encoding cannot be decided."""


def decode(raw: bytes) -> tuple[str, str] | None:
    """Decode a file's bytes; returns ``(text, encoding)`` or None when it is not text or its encoding
    cannot be decided."""
    result = decode_or_reason(raw)
    return result if isinstance(result, tuple) else None


def decode_or_reason(raw: bytes) -> tuple[str, str] | str:
    """``(text, encoding)``, or why not: ``"binary"`` or :data:`UNDECIDED`."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                return "binary"
    if b"\x00" in raw[:65536]:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None and not _looks_binary(utf16[0]):
            return utf16
    try:
        text = raw.decode("utf-8")
        encoding = "utf-8"
        if _two_byte_only(text):
            # Short GBK text can be valid UTF-8 by chance (住院医师 is four two-byte sequences); real
            # UTF-8 Chinese has three-byte sequences, and a Western text has its accents inside words
            cjk = decide_cjk(raw)
            if isinstance(cjk, tuple) and plausibility(cjk[0], "zh") >= 0.7:
                text, encoding = cjk
    except UnicodeDecodeError:
        cjk = decide_cjk(raw)
        if cjk == UNDECIDED:
            return UNDECIDED
        if isinstance(cjk, tuple):
            text, encoding = cjk
        else:
            from charset_normalizer import from_bytes

            best = from_bytes(raw).best()
            if best is None:
                return "binary"
            text, encoding = str(best), best.encoding
            if encoding.startswith(_MULTIBYTE):
                return UNDECIDED  # a CJK guess the rule above did not find plausible: mojibake
            if encoding in _LATIN_GUESSES:
                # Western European (English-language) documents are far likelier here than Central
                # European ones: prefer Windows-1252 when it decodes.
                with contextlib.suppress(UnicodeDecodeError):
                    text, encoding = raw.decode("cp1252", errors="strict"), "cp1252"
    if _looks_binary(text):
        return "binary"
    return text, encoding


_MULTIBYTE = ("gb", "big5", "hz", "cp932", "cp949", "cp950", "shift", "euc", "iso2022", "johab", "utf_16",
              "utf_32", "cp1361")
_CHINESE = ("gb18030", "big5")
"""The readings tried for Chinese, in the order preferred on a tie."""
_FOREIGN = ("cp932", "cp949")
PLAUSIBLE = 0.45
"""The least mean plausibility (see :func:`plausibility`) of a reading that is accepted."""
MARGIN = 0.2
"""How much more plausible the best reading must be than the next one of another encoding."""


@lru_cache(maxsize=1)
def _hanzi_rank() -> dict[str, int]:
    """Rank of the 4,000 most frequent Simplified characters (0 = most frequent), counted from the word
    frequencies of jieba's dictionary (``data/hanzi_by_frequency.txt``)."""
    chars = (resources.files(__package__) / "data" / "hanzi_by_frequency.txt").read_text(encoding="utf-8")
    return {ch: i for i, ch in enumerate(chars.strip())}


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _han_score(ch: str) -> float:
    rank = _hanzi_rank().get(ch)
    if rank is None:
        rank = _hanzi_rank().get(str(_t2s().convert(ch)))  # a Traditional character: rank its Simplified form
    if rank is None:
        return -0.6
    return 1.0 if rank < 1000 else 0.7 if rank < 2500 else 0.3


def plausibility(text: str, language: str) -> float:
    """How plausible the non-ASCII characters of ``text`` are as ``language`` (``zh``, ``ja``, ``ko``):
    the mean over them of a per-character score in [-1, 1]. Han characters score by frequency (1 for
    the 1,000 most frequent, down to -0.6 for characters outside the 4,000 most frequent); CJK
    punctuation and full-width forms 0.5; kana 1 for Japanese (else -1); hangul 1 for Korean (else -1);
    anything else (private use, symbols, Greek, Cyrillic, box drawing, Latin-1) -1. Returns -1 for text
    without non-ASCII characters."""
    total = 0.0
    count = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        count += 1
        if 0x4E00 <= o <= 0x9FFF:
            total += _han_score(ch) if language != "ko" else -0.3
        elif 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0x2018 <= o <= 0x201D or o in (0x2026, 0xB7):
            total += 0.5
        elif 0x3041 <= o <= 0x30FF:
            total += 1.0 if language == "ja" else -1.0
        elif 0xAC00 <= o <= 0xD7A3:
            total += 1.0 if language == "ko" else -1.0
        else:
            total -= 1.0
    return total / count if count else -1.0


def _two_byte_only(text: str) -> bool:
    """Whether every non-ASCII character is a two-byte UTF-8 one standing outside any Latin word."""
    wide = [i for i, ch in enumerate(text) if ord(ch) >= 0x80]
    if len(wide) < 2 or any(ord(text[i]) >= 0x800 for i in wide):
        return False
    return not any((i > 0 and text[i - 1].isascii() and text[i - 1].isalpha())
                   or (i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalpha()) for i in wide)


def _share(text: str, low: int, high: int) -> float:
    wide = [ch for ch in text if ord(ch) >= 0x80]
    return sum(low <= ord(ch) <= high for ch in wide) / len(wide) if wide else 0.0


def _readings(raw: bytes, encodings: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for encoding in encodings:
        with contextlib.suppress(UnicodeDecodeError):
            out[encoding] = raw.decode("cp950" if encoding == "big5" else encoding, errors="strict")
    return out


def decide_cjk(raw: bytes) -> tuple[str, str] | str | None:
    """Decide the encoding of multi-byte text that is not UTF-8: ``(text, encoding)``, :data:`UNDECIDED`,
    or None when no CJK reading fits at all (single-byte text, left to charset-normalizer).

    The Chinese readings (GB18030, Big5) compete on :func:`plausibility`; the best
    is taken when it is plausible and ahead of the other Chinese readings by :data:`MARGIN`. A Japanese
    reading (cp932) wins only with kana in it and clearly ahead; a Korean one (cp949) only when it is
    nearly all hangul and the Chinese readings are implausible (bytes that are only hangul in cp949, or
    words separated by spaces as Korean writes them).
    """
    chinese = {enc: (text, plausibility(text, "zh")) for enc, text in _readings(raw, _CHINESE).items()}
    foreign = _readings(raw, _FOREIGN)
    best_zh = max(chinese.items(), key=lambda kv: kv[1][1], default=None)
    zh_score = best_zh[1][1] if best_zh else -1.0
    if "cp932" in foreign:
        text = foreign["cp932"]
        ja = plausibility(text, "ja")
        if _share(text, 0x3041, 0x30FF) >= 0.15 and ja >= PLAUSIBLE and ja > zh_score + MARGIN:
            return text, "cp932"
    if "cp949" in foreign:
        text = foreign["cp949"]
        ko = plausibility(text, "ko")
        spaced = re.search(r"[\uac00-\ud7a3]{2,} +[\uac00-\ud7a3]", text) is not None  # Korean word spacing
        if _share(text, 0xAC00, 0xD7A3) >= 0.8 and ko >= PLAUSIBLE and (zh_score < PLAUSIBLE or spaced):
            return text, "cp949"
    if best_zh is None:
        return None
    encoding, (text, score) = best_zh
    if score < PLAUSIBLE:
        return UNDECIDED if score > -0.5 or foreign else None
    rivals = [s for enc, (t, s) in chinese.items() if enc != encoding and t != text]
    if rivals and max(rivals) > score - MARGIN:
        return UNDECIDED
    return text, encoding


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / len(sample) > 0.05
