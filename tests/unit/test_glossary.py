"""Glossary mining precision and recall on the seeds, against pairs found by reading the documents.

tests/data/glossary_expected.tsv lists every (Chinese term, English term, abbreviation) the seeds define
inline or in their bilingual figure note. Run with ``pytest -s tests/test_glossary.py`` to see the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.lexicon.glossary import Entry, merge, mine_notes

EXPECTED = Path(__file__).parents[1] / "data" / "glossary_expected.tsv"
MIN_PRECISION = 0.9
MIN_RECALL = 0.8


@dataclass(frozen=True)
class Pair:
    zh: str
    en: str
    abbr: str
    shown: str = field(default="", compare=False)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def make_pair(zh: str, en: str, abbr: str) -> Pair:
    return Pair(squash(zh), squash(en).casefold(), squash(abbr), shown=f"{zh} | {en} | {abbr}")


def load_expected() -> list[Pair]:
    pairs = []
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, en, abbr = line.split("\t")
        pairs.append(make_pair(zh, en, abbr))
    return pairs


def matches(entry: Entry, pair: Pair) -> bool:
    """Same Chinese term, and the English term and the abbreviation it gives agree with the line."""
    en, abbr = squash(entry.en).casefold(), squash(entry.abbr)
    if squash(entry.zh) != pair.zh or not (en or abbr):
        return False
    return (not en or en == pair.en) and (not abbr or abbr == pair.abbr)


@pytest.fixture(scope="module")
def expected() -> list[Pair]:
    return load_expected()


@pytest.fixture(scope="module")
def mined(assistant) -> list[Entry]:
    entries = [e for e in assistant.index.lexicon.entries if e.source in ("corpus", "note")]
    assert entries, "the seeds index holds no mined glossary entries"
    return entries


def test_expected_file_is_well_formed(expected):
    assert len(expected) >= 60
    for pair in expected:
        assert re.search(r"[\u4e00-\u9fff]", pair.zh), pair
        assert pair.en or pair.abbr, pair
        assert not re.search(r"[\u4e00-\u9fff]", pair.en + pair.abbr), pair
    assert len({(p.zh, p.en, p.abbr) for p in expected}) == len(expected)


def test_matching_rule():
    pair = make_pair("氟维司群", "Fulvestrant", "FLV")
    assert matches(Entry("氟维司群", "Fulvestrant", "FLV"), pair)
    assert matches(Entry("氟 维司群", "", "FLV"), pair)
    assert not matches(Entry("维司群", "fulvestrant", "FLV"), pair)
    assert not matches(Entry("氟维司群", "fulvestrant", "FLT"), pair)
    assert not matches(Entry("氟维司群", "", ""), pair)


def test_mining_precision_and_recall(mined, expected):
    correct = [e for e in mined if any(matches(e, p) for p in expected)]
    wrong = [e for e in mined if e not in correct]
    found = [p for p in expected if any(matches(e, p) for e in mined)]
    missed = [p for p in expected if p not in found]
    precision = len(correct) / len(mined)
    recall = len(found) / len(expected)
    print(f"\nglossary mining: precision {precision:.3f} ({len(correct)}/{len(mined)} mined pairs correct), "
          f"recall {recall:.3f} ({len(found)}/{len(expected)} expected pairs found)")
    for e in wrong:
        print(f"  wrong:  {e.zh} | {e.en} | {e.abbr}")
    for p in missed:
        print(f"  missed: {p.shown}")
    assert precision >= MIN_PRECISION, wrong
    assert recall >= MIN_RECALL, missed


@pytest.mark.parametrize(
    ("zh", "en", "abbr"),
    [
        ("氟维司群", "fulvestrant", "FLV"),
        ("无进展生存期", "progression-free survival", "PFS"),
        ("骨相关事件", "", "SREs"),
        ("卵巢功能抑制", "", "OFS"),
        ("他莫昔芬", "tamoxifen", "TAM"),
        ("达尔西利", "dalpiciclib", ""),
        ("选择性雌激素受体下调剂", "selective estrogen receptor down-regulator", "SERD"),
    ],
)
def test_pairs_named_in_the_issue_are_mined(mined, zh, en, abbr):
    pair = make_pair(zh, en, abbr)
    hits = [e for e in mined if matches(e, pair)]
    assert hits, f"{zh} was not mined"
    if en:
        assert any(squash(e.en).casefold() == squash(en).casefold() for e in hits)
    if abbr:
        assert any(e.abbr == abbr for e in hits)


def test_note_mining_pairs_both_languages():
    notes = [
        "注：ET：内分泌治疗；PFS：无进展生存期；m+：突变。",
        "Note: ET: endocrine therapy; PFS: progression-free survival; m+: mutation.",
    ]
    got = {(e.abbr, e.zh, e.en) for e in mine_notes(notes)}
    assert got == {
        ("ET", "内分泌治疗", "endocrine therapy"),
        ("PFS", "无进展生存期", "progression-free survival"),
        ("m+", "突变", "mutation"),
    }


def test_merge_keeps_one_entry_per_pair():
    merged = merge([Entry("氟维司群", "fulvestrant"), Entry("氟维司群", "Fulvestrant", "FLV", "note")])
    assert merged == [Entry("氟维司群", "fulvestrant", "FLV", "corpus")]



@pytest.mark.parametrize(
    ("sentence", "pair"),
    [
        ("青霉素（Penicillin，或音譯盤尼西林）是指一类抗生素。", ("青霉素", "Penicillin", "")),  # an aside after
        ("布洛芬（英语：Ibuprofen）是一种非类固醇消炎药。", ("布洛芬", "Ibuprofen", "")),  # a language label
        ("氟维司群（fulvestrant，FLV）是代表性药物。", ("氟维司群", "fulvestrant", "FLV")),
    ],
)
def test_a_definition_with_an_aside_or_a_language_label_is_mined(sentence, pair):
    from assistant.lexicon.analyze import Analyzer
    from assistant.lexicon.glossary import mine_definitions

    assert [(e.zh, e.en, e.abbr) for e in mine_definitions(sentence, Analyzer())] == [pair]


@pytest.mark.parametrize("sentence", ["患者（30例，占50%）均已入组。", "本品（见说明书，第3页）应冷藏。"])
def test_a_parenthesis_that_only_has_chinese_after_a_comma_is_not_a_definition(sentence):
    from assistant.lexicon.analyze import Analyzer
    from assistant.lexicon.glossary import mine_definitions

    assert mine_definitions(sentence, Analyzer()) == []
