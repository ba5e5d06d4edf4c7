"""Transliterated drug names: an English INN and its Chinese name matched by stem and sound
(assistant.lexicon.transliterate)."""

from __future__ import annotations

import pytest

from assistant.lexicon import transliterate

# approved Chinese names of drugs of several fields, each with its INN
PAIRS = [
    ("lapatinib", "拉帕替尼"), ("gefitinib", "吉非替尼"), ("erlotinib", "厄洛替尼"), ("ribociclib", "瑞波西利"),
    ("abemaciclib", "阿贝西利"), ("alpelisib", "阿培利司"), ("everolimus", "依维莫司"), ("temsirolimus", "坦西莫司"),
    ("fulvestrant", "氟维司群"), ("elacestrant", "艾拉司群"), ("tamoxifen", "他莫昔芬"), ("letrozole", "来曲唑"),
    ("pertuzumab", "帕妥珠单抗"), ("bevacizumab", "贝伐珠单抗"), ("denosumab", "地舒单抗"),
    ("atorvastatin", "阿托伐他汀"), ("rosuvastatin", "瑞舒伐他汀"), ("enalapril", "依那普利"),
    ("metoprolol", "美托洛尔"), ("amlodipine", "氨氯地平"), ("liraglutide", "利拉鲁肽"), ("rivaroxaban", "利伐沙班"),
    ("dabigatran", "达比加群"), ("omeprazole", "奥美拉唑"), ("moxifloxacin", "莫西沙星"), ("acyclovir", "阿昔洛韦"),
    ("tenofovir", "替诺福韦"), ("doxorubicin", "多柔比星"), ("irinotecan", "伊立替康"), ("goserelin", "戈舍瑞林"),
    ("olaparib", "奥拉帕利"), ("amoxicillin", "阿莫西林"), ("vancomycin", "万古霉素"), ("docetaxel", "多西他赛"),
    ("enzalutamide", "恩扎卢胺"), ("famotidine", "法莫替丁"), ("montelukast", "孟鲁司特"), ("meropenem", "美罗培南"),
]


@pytest.mark.parametrize(("english", "chinese"), PAIRS)
def test_an_inn_finds_its_chinese_name_among_many_and_back(english: str, chinese: str) -> None:
    names = [zh for _, zh in PAIRS]
    assert [m.name for m in transliterate.chinese_for(english, names)] == [chinese]
    words = [en for en, _ in PAIRS]
    assert [m.name for m in transliterate.english_for(chinese, words)] == [english]


@pytest.mark.parametrize(("english", "chinese"), [
    ("osimertinib", "伊马替尼"),  # both -tinib, both begin with a vowel, but they sound apart
    ("lapatinib", "吉非替尼"), ("everolimus", "坦西莫司"), ("fulvestrant", "艾拉司群"), ("letrozole", "阿那曲唑"),
    ("everolimus", "依维替尼"),  # the right sound with another drug class's ending
    ("lapatinib", "拉帕"),  # no ending at all
    ("heparin", "或肝素"), ("enoxaparin", "用是肝素"),  # ordinary words before the ending
])
def test_a_drug_is_not_matched_to_another(english: str, chinese: str) -> None:
    assert transliterate.chinese_for(english, [chinese]) == []
    assert transliterate.english_for(chinese, [english]) == []


def test_two_spellings_of_one_drug_are_both_found() -> None:
    # palbociclib is 哌柏西利 in the drug label and 帕博西尼 in many papers
    found = transliterate.chinese_for("palbociclib", ["哌柏西利", "帕博西尼", "瑞波西利"])
    assert sorted(m.name for m in found) == ["哌柏西利", "帕博西尼"]


def test_a_name_is_read_out_of_running_chinese_text() -> None:
    text = "患者使用拉帕替尼和依维莫司治疗。"
    candidates = transliterate.chinese_candidates(text, transliterate.chinese_endings())
    assert "拉帕替尼" in candidates and "帕替尼" in candidates  # where the name starts is not marked
    assert "用拉帕替尼" not in candidates  # but 用 is no drug syllable
    assert [m.name for m in transliterate.chinese_for("lapatinib", candidates)] == ["拉帕替尼"]
    assert [m.name for m in transliterate.chinese_for("everolimus", candidates)] == ["依维莫司"]


def test_english_names_are_the_words_with_an_inn_stem() -> None:
    texts = ["Elacestrant is an oral SERD; fulvestrant is given by injection.", "Exemestane, and nothing else."]
    assert transliterate.english_names(texts) == ["elacestrant", "fulvestrant", "exemestane"]


@pytest.mark.parametrize(("spelling", "pinyin", "key"), [
    ("lapa", False, "lapa"), ("elace", False, "alasa"), ("gefi", False, "safa"), ("phila", False, "fala"),
    ("aila", True, "ala"), ("jifei", True, "safa"), ("qushi", True, "sasa"),
])
def test_sound_classes(spelling: str, pinyin: bool, key: str) -> None:
    assert transliterate.sound(spelling, pinyin=pinyin) == key
