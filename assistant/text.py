"""Character classes every stage shares: CJK tests, display width, and escape/control stripping.

One definition of each, so that the normalizer, the analyzer, the question cleaner, the terminal
renderers and the TUI agree on what "Chinese", "wide" and "printable" mean.

* **Han** (:data:`HAN`): Chinese ideographs — CJK Unified Ideographs and Extension A, the compatibility
  ideographs, and the supplementary planes. What "Chinese text" means for language detection, the
  analyzer's Chinese runs and a passage's language.
* **Wide** (:func:`is_wide`): characters East Asian text never separates with spaces and terminals
  draw two columns wide — Han, CJK punctuation, kana, hangul, full-width forms (Unicode East Asian Width
  W/F, approximated by block).
* **Escapes and controls** (:data:`ESCAPE`, :data:`CONTROL`): ANSI/ECMA-48 escape sequences (CSI,
  OSC, DCS/SOS/PM/APC strings, two-byte escapes) and C0/C1 control characters other than tab and
  newline.
"""

from __future__ import annotations

import re

HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
"""Han ideographs, as the body of a regular-expression character class."""
HAN = re.compile(f"[{HAN_CLASS}]")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")

WIDE_CLASS = "\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
"""Wide (two-column, never space-separated) characters, as the body of a character class: hangul jamo,
CJK radicals to Yi (punctuation, kana, bopomofo, Han), hangul syllables, compatibility ideographs and
forms, half/full-width forms, and the supplementary ideographic planes."""
_WIDE = re.compile(f"[{WIDE_CLASS}]")

ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clear screen
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-_]?"  # any other escape
)
"""Terminal escape sequences (ECMA-48)."""
CONTROL_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
"""C0 and C1 control characters except tab and newline, as the body of a character class."""
CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_UNPRINTABLE = re.compile(f"[{CONTROL_CLASS}\ud800-\udfff]")
CHINESE_SHARE = 0.3
"""A text is Chinese when more than this share of its characters are Han (see :func:`is_chinese`)."""


def is_han(ch: str) -> bool:
    """Whether one character is a Han ideograph."""
    return HAN.match(ch) is not None


def has_cjk(text: str) -> bool:
    """Whether the text contains at least one Han ideograph."""
    return HAN.search(text) is not None


def han_count(text: str) -> int:
    """How many Han ideographs the text holds."""
    return len(HAN.findall(text))


def is_chinese(text: str) -> bool:
    """Whether a passage is mostly Chinese: more than :data:`CHINESE_SHARE` of its characters are Han."""
    return bool(text) and han_count(text) > CHINESE_SHARE * len(text)


def chinese_share(text: str) -> float:
    """How much of a text is Chinese (0..1): Han ideographs against Latin letters, a Han ideograph
    counting as :data:`LETTERS_PER_HAN` letters (an English word of five letters and a space carries
    about what a two-character Chinese word does). 0 for a text with neither."""
    han = han_count(text)
    letters = len(_LATIN.findall(text))
    total = han * LETTERS_PER_HAN + letters
    return han * LETTERS_PER_HAN / total if total else 0.0


LETTERS_PER_HAN = 3.0
"""Latin letters worth one Han ideograph in :func:`chinese_share`."""
_LATIN = re.compile("[A-Za-z]")


def is_wide(ch: str) -> bool:
    """Whether one character is wide: East Asian text never puts a space between two of them."""
    return _WIDE.match(ch) is not None


_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def is_unspaced(ch: str) -> bool:
    """Whether one character belongs to writing that puts no spaces between words: wide (Han, kana, CJK
    punctuation, full-width forms) but not hangul (Korean separates its words with spaces)."""
    return is_wide(ch) and _HANGUL.match(ch) is None


def tight(a: str, b: str) -> bool:
    """Whether no space belongs between characters ``a`` and ``b``: both :func:`is_unspaced`."""
    return is_unspaced(a) and is_unspaced(b)


def display_width(text: str) -> int:
    """Terminal columns the text takes: 2 per wide character, 1 for the rest."""
    return len(text) + len(_WIDE.findall(text))


def strip_escapes(text: str, replacement: str = "") -> str:
    """Remove terminal escape sequences and control characters (tab and newline kept)."""
    return CONTROL.sub(replacement, ESCAPE.sub(replacement, text))


def printable(text: str) -> str:
    """Text safe to show in a terminal: escape sequences and control characters removed (newlines and
    tabs kept), lone surrogates (undecodable bytes in a file name) shown as U+FFFD."""
    text = ESCAPE.sub("", text)
    return _UNPRINTABLE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)


def one_line(text: str) -> str:
    """:func:`printable`, on one line: for messages."""
    return " ".join(printable(text).split("\n"))


def as_text(text: str) -> str:
    """Valid Unicode: bytes that were not UTF-8 (kept by Python as lone surrogates, e.g. in argv or a
    file name) become U+FFFD, so that nothing downstream fails to encode them."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
