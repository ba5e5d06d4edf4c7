"""Decode: the encoding of a text file, detected from its bytes.

UTF-8 with or without BOM, UTF-16/32 with BOM, UTF-16 without BOM (NUL in every other byte), and the
legacy encodings through charset-normalizer, with corrections for what it gets wrong on short Chinese
and Western European texts (see :func:`decode`).
"""

from __future__ import annotations

import codecs
import contextlib

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _chinese_like(text: str) -> bool:
    """Whether every non-ASCII character is a CJK ideograph, CJK punctuation or a full-width form."""
    rest = [ch for ch in text if ord(ch) > 0x7F]
    return bool(rest) and all(
        0x4E00 <= ord(ch) <= 0x9FFF or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF
        or 0x2010 <= ord(ch) <= 0x2027 or 0x3400 <= ord(ch) <= 0x4DBF
        for ch in rest
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


def decode(raw: bytes) -> tuple[str, str] | None:
    """Decode a file's bytes; returns ``(text, encoding)`` or None when it is not text."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    if b"\x00" in raw[:65536]:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None and not _looks_binary(utf16[0]):
            return utf16
    try:
        text = raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            return None
        text, encoding = str(best), best.encoding
        if encoding.startswith(("gb2312", "gbk")):
            # GB18030 is a superset; decoding with it never loses characters the narrower name would.
            text, encoding = raw.decode("gb18030", errors="strict"), "gb18030"
        elif not encoding.startswith(("gb", "big5", "hz", "utf")):
            # Short Chinese texts in GBK are often taken for Korean (cp949) or a Latin code page; for a
            # Chinese/English corpus, GB18030 wins when the bytes are plain GB2312 (common simplified
            # characters, which Japanese kana bytes are not) and decode to nothing but Chinese text.
            chinese: str | None = None
            with contextlib.suppress(UnicodeDecodeError):
                raw.decode("gb2312", errors="strict")
                chinese = raw.decode("gb18030", errors="strict")
            if chinese is not None and _chinese_like(chinese):
                text, encoding = chinese, "gb18030"
            elif encoding in _LATIN_GUESSES:
                # Western European (English-language) documents are far likelier here than Central
                # European ones: prefer Windows-1252 when it decodes.
                with contextlib.suppress(UnicodeDecodeError):
                    text, encoding = raw.decode("cp1252", errors="strict"), "cp1252"
    if _looks_binary(text):
        return None
    return text, encoding


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / len(sample) > 0.05
