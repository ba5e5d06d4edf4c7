"""Prior: back matter and abbreviation keys rank below the body for content questions.

A paper's references, acknowledgements, funding statement and author notes (``Passage.role``, set from
the section they are in: :mod:`assistant.ingest.structure`) share many words with content questions — an
English reference title can match an English question better than the Chinese body that answers it. So
does an abbreviation key (a table or figure note that lists a field's terms, ``Note: ET: endocrine
therapy; HR: hormone receptor; …``): it comes close to every question of the field, in any language,
while saying nothing about them. They stay indexed and findable: a question that asks for them (funding,
references, an author and a year, acknowledgements, authors, conflicts of interest, what an abbreviation
stands for) gets them unchanged. For every other question their fused score is lowered by
``Settings.back_matter_penalty`` (:data:`PENALTY` by default) standard deviations of the candidates'
scores, a scale-free demotion that works the same for z-score, RRF, dense-only and sparse-only scores.

A bilingual paper says its abstract twice, once in each language. A question that names the version it
means ("according to the English abstract", "中文摘要中") gets that version: passages mostly in the
other language lose the same penalty (:func:`named_language`). Nothing else about a passage's
language moves its rank here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

import numpy as np

from ..records import Hit, Query
from ..settings import Settings
from ..text import is_chinese

PENALTY: float = Settings.back_matter_penalty
"""The default of ``Settings.back_matter_penalty``: how far a back-matter passage is moved down, in
standard deviations of the candidates' fused scores
(the candidate set always spans relevant and irrelevant passages, so this is about the distance from a
good hit to an ordinary one)."""

ASKS_FOR: dict[str, re.Pattern[str]] = {
    "references": re.compile(
        r"referen|cite|citation|bibliograph|literature|journal|publish|publication|参考文献|文献|引用|引文|出处"
        r"|期刊|杂志|发表|刊登"
        r"|\b[A-Z][a-z]+(?:\s+et\s+al\.?)?,?\s*\(?(?:19|20)\d\d\b", re.IGNORECASE),
    "funding": re.compile(r"fund|grant|sponsor|financ|基金|资助|经费|赞助|支持项目", re.IGNORECASE),
    "acknowledgements": re.compile(r"acknowledg|thank|致谢|感谢", re.IGNORECASE),
    "abbreviations": re.compile(
        r"stand(?:s)? for|refers? to|\bdenotes?\b|abbreviat|acronym|short for|full (?:name|form)|spelled out"
        r"|缩写|全称|简称|代表什么|代表的是|是什么意思|什么意思|指什么|指的是|的含义|图注|表注", re.IGNORECASE),
    "author-notes": re.compile(
        r"author|corresponding|contact|e-?mail|conflict|competing|disclos|contribut|affiliat"
        r"|作者|通信|通讯|利益冲突|贡献|简介|邮箱|单位", re.IGNORECASE),
}
"""What a question says when it asks for a kind of back matter."""


_VERSION_EN = r"(?:abstract|summary|version|text|title|keywords?|translation|edition|original)s?"
_VERSION_ZH = r"(?:摘要|版本|版|标题|题目|关键词|关键字|原文|译文|全文)"
NAMES_LANGUAGE: dict[Literal["zh", "en"], re.Pattern[str]] = {
    "en": re.compile(rf"\bEnglish[- ](?:language[- ])?{_VERSION_EN}\b|(?:英文|英语){_VERSION_ZH}", re.IGNORECASE),
    "zh": re.compile(rf"\bChinese[- ](?:language[- ])?{_VERSION_EN}\b|(?:中文|汉语){_VERSION_ZH}", re.IGNORECASE),
}
"""How a question names the language version of a text it asks about ("the English abstract", "中文摘要")."""


def named_language(query: Query) -> Literal["zh", "en"] | None:
    """The language whose version of a text the question names, or None when it names none or both."""
    text = f"{query.question} {query.text}"
    named = [language for language, pattern in NAMES_LANGUAGE.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else None


def asked_roles(query: Query) -> set[str]:
    """The back-matter roles a question asks for (empty for a content question)."""
    text = f"{query.question} {query.text}"
    return {role for role, pattern in ASKS_FOR.items() if pattern.search(text)}


def apply(query: Query, candidates: list[Hit], penalty: float = PENALTY) -> list[Hit]:
    """The candidates re-ranked with the back-matter prior, best first (ties by passage id).

    Passages whose ``role`` is ``body`` or a role the question asks for keep their score, and so do
    passages in the language version the question names (:func:`named_language`), if it names one; the
    others lose ``penalty`` standard deviations of the candidate scores. Returns the input when nothing
    changes.
    """
    language = named_language(query)
    if language is None and not any(h.passage.role != "body" for h in candidates):
        return candidates
    asked = asked_roles(query)
    demoted = [h.passage.role not in ("body", *asked) or not in_language(h, language) for h in candidates]
    if not any(demoted):
        return candidates
    scores = np.array([h.score for h in candidates], dtype=np.float64)
    step = penalty * float(scores.std()) if len(scores) > 1 else 1.0
    moved = [replace(h, score=h.score - step) if d else h for h, d in zip(candidates, demoted, strict=True)]
    return sorted(moved, key=lambda h: (-h.score, h.passage.id))


def in_language(hit: Hit, language: Literal["zh", "en"] | None) -> bool:
    """Whether a hit's passage is in ``language`` (:func:`~assistant.text.is_chinese`, the language group
    the index gives it); True for ``None``."""
    if language is None:
        return True
    return is_chinese(hit.passage.text) == (language == "zh")
