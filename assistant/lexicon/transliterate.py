"""Transliterated drug names: an English drug name and its Chinese name, without a dictionary.

A Chinese generic drug name is made from the international non-proprietary name (INN) by a convention:
the INN's stem, which names the drug's class, becomes a fixed Chinese ending (-tinib 替尼, -zumab 珠单抗,
-strant 司群, -limus 莫司), and the rest of the name is transliterated by sound (**la-pa**-tinib
拉帕替尼 *la-pa*, **ela-ce**-strant 艾拉司群 *ai-la*). CC-CEDICT and the glossaries know only some drugs;
a newer one (elacestrant, everolimus) is then "never mentioned" in the other language, although the
documents name it there.

So a drug name of a question is matched to the documents' names of the other language that carry the
corresponding ending (:data:`STEMS`): the part before the ending is compared by sound, the English letters
against the pinyin of the Chinese characters (pypinyin), both reduced to broad sound classes
(:func:`sound`), by difflib's ratio (Ratcliff & Obershelp 1988), and only when the two begin with the same
class. The closest name is taken when it scores at least :data:`THRESHOLD`, with every other within
:data:`TIE` of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..text import has_cjk

STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tinib", ("替尼",)), ("rafenib", ("拉非尼",)), ("fenib", ("非尼",)), ("ciclib", ("西利", "西尼")),
    ("lisib", ("利司",)), ("parib", ("帕利", "帕尼")), ("zumab", ("珠单抗",)), ("ximab", ("昔单抗",)),
    ("mumab", ("木单抗",)), ("mab", ("单抗",)), ("strant", ("司群",)), ("limus", ("莫司",)),
    ("sartan", ("沙坦",)), ("pril", ("普利",)), ("olol", ("洛尔",)), ("dipine", ("地平",)),
    ("statin", ("他汀",)), ("gliflozin", ("格列净",)), ("gliptin", ("格列汀", "列汀")), ("glutide", ("鲁肽",)),
    ("parin", ("肝素",)), ("xaban", ("沙班",)), ("gatran", ("加群",)), ("trozole", ("曲唑",)),
    ("mestane", ("美坦",)), ("xifen", ("昔芬",)), ("mifene", ("米芬",)), ("cillin", ("西林",)),
    ("mycin", ("霉素",)), ("floxacin", ("沙星",)), ("conazole", ("康唑",)), ("ciclovir", ("昔洛韦",)),
    ("vir", ("韦",)), ("dronate", ("膦酸",)), ("platin", ("铂",)), ("rubicin", ("比星",)),
    ("citabine", ("他滨", "西滨")), ("tecan", ("替康",)), ("setron", ("司琼",)), ("prazole", ("拉唑",)),
    ("tidine", ("替丁",)), ("afil", ("那非",)), ("profen", ("洛芬",)), ("oxetine", ("西汀",)),
    ("triptan", ("曲坦",)), ("caine", ("卡因",)), ("penem", ("培南",)), ("bactam", ("巴坦",)),
    ("lukast", ("司特",)), ("semide", ("塞米",)), ("taxel", ("他赛",)), ("relin", ("瑞林",)),
    ("lutamide", ("鲁胺", "卢胺")), ("methasone", ("米松",)), ("azepam", ("西泮",)), ("cycline", ("环素",)),
    ("nostat", ("诺他", "司他")), ("cyclovir", ("昔洛韦",)),
)
"""INN stems and the Chinese endings that translate them (the convention of Chinese approved drug names),
longest English stem first within a family (-zumab before -mab)."""

THRESHOLD = 0.7
"""The least sound score (0..1) of a match."""
TIE = 0.05
"""Names within this of the best score are all taken (the documents may spell one name two ways)."""

_ENGLISH_STEM = sorted(((en, zh) for en, zh in STEMS), key=lambda s: -len(s[0]))
_CHINESE_STEM = sorted(((z, en) for en, zh in STEMS for z in zh), key=lambda s: -len(s[0]))
_CHINESE_ENDINGS = tuple(z for z, _ in _CHINESE_STEM)
_LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{6,}(?![A-Za-z])")
MAX_PREFIX = 4
"""The most characters a Chinese drug name has before its ending (伊马替尼: 2, 司美格鲁肽: 3)."""


@dataclass(frozen=True)
class Match:
    """A name of the other language that a drug name of the question was matched to."""

    name: str
    """The matched name as the documents write it (lapatinib → ``拉帕替尼``; 艾拉司群 → ``elacestrant``)."""
    score: float
    """The sound score (:data:`THRESHOLD` .. 1)."""


def english_stem(word: str) -> tuple[str, tuple[str, ...]] | None:
    """``(the part before the stem, the Chinese endings of the stem)`` of an English drug name, or None
    when it ends in no stem of :data:`STEMS` (or is nothing but a stem)."""
    lowered = word.lower()
    for en, zh in _ENGLISH_STEM:
        if lowered.endswith(en) and len(lowered) > len(en):
            return lowered[: -len(en)], zh
    return None


def chinese_stem(word: str) -> tuple[str, tuple[str, ...]] | None:
    """``(the characters before the ending, the English stems of the ending)`` of a Chinese drug name, or
    None when it ends in no ending of :data:`STEMS` (or is nothing but one)."""
    for zh, en in ((z, tuple(e for e, zs in STEMS if z in zs)) for z, _ in _CHINESE_STEM):
        if word.endswith(zh) and len(word) > len(zh):
            return word[: -len(zh)], en
    return None


_CLASSES = str.maketrans({"b": "p", "d": "t", "g": "k", "c": "k", "q": "k", "v": "f", "w": "f", "r": "l",
                          "m": "n", "z": "s", "x": "s", "j": "s", "e": "a", "i": "a", "o": "a", "u": "a",
                          "y": "a"})


def sound(letters: str, pinyin: bool = False) -> str:
    """A spelling reduced to broad sound classes (``str``): voiced and voiceless stops alike (b/p, d/t,
    g/k), f/v/w, l/r, m/n, the sibilants (s, z, x, sh, and pinyin j, q, zh, ch), every vowel one ``a``
    (runs collapsed). English c before e, i or y is an s; pinyin q, x and j are sibilants, as in
    艾拉司群 ``ai-la-si-qun``."""
    s = letters.lower()
    if pinyin:
        s = re.sub(r"zh|ch|sh|[jqx]", "s", s)
    else:
        s = re.sub(r"[cg](?=[eiy])", "s", s)
        s = s.replace("ph", "f").replace("th", "t").replace("ch", "k").replace("sh", "s").replace("qu", "k")
    s = s.translate(_CLASSES)
    s = re.sub(r"[^a-z]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def likeness(english: str, pinyin: str) -> float:
    """How alike an English spelling and a pinyin one sound: difflib's ratio of their sound classes
    (:func:`sound`, 0..1), and 0 unless they begin with the same class."""
    a, b = sound(english), sound(pinyin, pinyin=True)
    if not a or not b or a[0] != b[0]:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@lru_cache(maxsize=4096)
def pinyin_of(chinese: str) -> str:
    """The toneless pinyin of Chinese characters, run together (pypinyin: 拉帕 → ``lapa``)."""
    from pypinyin import lazy_pinyin  # imported when a drug name is first compared: about 0.3 s

    return "".join(lazy_pinyin(chinese))


def chinese_for(english: str, names: Iterable[str]) -> list[Match]:
    """The Chinese names among ``names`` that an English drug name transliterates (lapatinib → 拉帕替尼),
    best first; empty when none is close enough or the word ends in no stem. A name with a character of
    :data:`NOT_TRANSLITERATION` before its ending is none. Of two matches one of which ends the other
    (拉帕替尼, 达拉帕替尼: a candidate cut too long), the shorter is kept."""
    stem = english_stem(english)
    if stem is None:
        return []
    prefix, endings = stem
    scored: list[Match] = []
    for name in dict.fromkeys(names):
        for ending in endings:
            if name.endswith(ending) and len(name) > len(ending):
                before = name[: -len(ending)]
                if not NOT_TRANSLITERATION.intersection(before):
                    scored.append(Match(name, likeness(prefix, pinyin_of(before))))
                break
    best = _best(scored)
    return [m for m in best if not any(o.name != m.name and m.name.endswith(o.name) for o in best)]


NOT_TRANSLITERATION = frozenset(
    "的是用或於于与與有在和及了为為以使被将將把从從等其该該此每各如需应應服含说說致导導成合量子分低高通称稱"
    "虽雖然者并並也都就而但若即由经經对對给給予时時后後中上下内內外药藥剂劑类類种種性型效长長短新注射口静靜"
    "脉脈次日天周週单單联聯见見到能会會不无無没沒本这這过過还還又再更最很")
"""Characters of grammar and of common words that no drug name is transliterated with: a candidate
holding one before its ending (用是肝素, 或肝素) is ordinary text, not a name."""


def chinese_candidates(text: str, endings: Iterable[str]) -> list[str]:
    """The ways a Chinese text may name a drug with one of ``endings``: each ending with the 1 to
    :data:`MAX_PREFIX` Chinese characters before it, up to a character of :data:`NOT_TRANSLITERATION`
    (the name's start is not marked: 使用拉帕替尼 gives 帕替尼 and 拉帕替尼; :func:`chinese_for` tells by
    sound)."""
    out: dict[str, None] = {}
    for ending in endings:
        at = text.find(ending)
        while at >= 0:
            for n in range(1, MAX_PREFIX + 1):
                start = at - n
                if start < 0 or not has_cjk(text[start]) or text[start] in NOT_TRANSLITERATION:
                    break
                out[text[start : at + len(ending)]] = None
            at = text.find(ending, at + 1)
    return list(out)


def english_for(chinese: str, words: Iterable[str]) -> list[Match]:
    """The English names among ``words`` that a Chinese drug name transliterates (艾拉司群 → elacestrant),
    best first; empty when none is close enough or the name ends in no known ending."""
    stem = chinese_stem(chinese)
    if stem is None or NOT_TRANSLITERATION.intersection(stem[0]):
        return []
    prefix, stems = stem
    found: dict[str, str] = {}
    for word in dict.fromkeys(words):
        lowered = word.lower()
        for en in stems:
            if lowered.endswith(en) and len(lowered) > len(en):
                found[lowered] = lowered[: -len(en)]
                break
    if not found:
        return []
    heard = pinyin_of(prefix)
    return _best([Match(word, likeness(before, heard)) for word, before in found.items()])


def _best(scored: Sequence[Match]) -> list[Match]:
    """The matches scoring at least :data:`THRESHOLD` and within :data:`TIE` of the best, best first."""
    if not scored:
        return []
    top = max(m.score for m in scored)
    if top < THRESHOLD:
        return []
    return sorted((m for m in scored if m.score >= top - TIE), key=lambda m: (-m.score, m.name))


def chinese_endings() -> tuple[str, ...]:
    """Every Chinese ending of :data:`STEMS`, longest first."""
    return _CHINESE_ENDINGS


def english_names(texts: Iterable[str]) -> list[str]:
    """The English words of ``texts`` that end in an INN stem of :data:`STEMS`, lower case, each once."""
    out: dict[str, None] = {}
    for text in texts:
        for word in _LATIN_WORD.findall(text):
            if english_stem(word) is not None:
                out[word.lower()] = None
    return list(out)
