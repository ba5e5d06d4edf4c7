"""The question as typed: cleaned, its language told, a follow-up recognised, and the words that name a
particular thing (a drug, a trial, a gene) told from general words. Plain functions over one string;
:mod:`.expand` builds on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import QuestionError
from ..lexicon.analyze import english_terms
from ..lexicon.cedict import cedict
from ..lexicon.glossary import Entry
from ..text import han_count, has_cjk, strip_escapes

_LATIN_WORD = re.compile(r"[A-Za-z]+")
_FOLLOW_UP_ZH = re.compile(
    r"^(那|那么|还有|另外|此外|和|跟|与|如果|要是)?(它|它们|其|该药|该|这个|这种|这|那个|那种|他们)|呢[？?]?$|^(那|那么|如果|要是)"
)
_FOLLOW_UP_EN = re.compile(
    r"^(and|what about|how about|also|then|so|what if|any)\b|\b(it|its|they|them|their|this|that|these|those)\b",
    re.IGNORECASE,
)
NAME = re.compile(
    r"(?<![A-Za-z0-9-])"
    r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*[A-Z0-9]"  # SONIA, CDK4, HER2, PD-L1
    r"|[A-Za-z]+-[0-9]+[A-Za-z0-9]*"  # BOLERO-2, SOLAR-1, Ki-67
    r"|[a-z]{1,3}[A-Z]{2,}[A-Z0-9]*)"  # mRNA, siRNA, eGFR
    r"(?![A-Za-z0-9-])"
)
"""Names written as codes: acronyms, trial and drug codes, genes."""
_DRUG_SUFFIX = re.compile(
    r"(?:[a-z]{3,}(?:mab|nib|lib|tinib|ciclib|lisib|sertib|mycin|micin|cillin|cycline|floxacin|oxacin|azole|conazole|"
    r"vir|vudine|pril|sartan|olol|dipine|statin|gliflozin|gliptin|glutide|parin|xaban|gatran|estrant|trozole|"
    r"stane|lukast|tidine|prazole|semide|thiazide|olimus|platin|taxel|rubicin|fosfamide|trexate|zumab|ximab|umab|"
    r"cept|grel|formin|zolid|quiline|toin|tril|penem|bactam|cillin|mycin|floxacin|profen|fenac|oxetine|triptan|"
    r"afil|sone|olone|caine|dronate|parib|rafenib|ciclib|ertib|arone|piride|semide))$"
)
"""International non-proprietary name stems (WHO): a word ending so is a drug or enzyme name."""
ZH_DRUG_SUFFIX = re.compile(
    r"(单抗|替尼|西利|利司|塞替|司群|莫司|沙坦|普利|洛尔|地平|他汀|格列净|列汀|鲁肽|肝素|沙班|加群|曲唑|美坦|"
    r"昔芬|西林|霉素|沙星|康唑|韦|膦酸|铂|紫杉醇|比星|拉滨|替康|司琼|帕尼|珠单抗|昔单抗|曲松|头孢[\u4e00-\u9fff]+|"
    r"洛芬|西汀|哌唑|拉唑|格雷|喹啉|唑胺|利奈唑胺|霉素|西坦|卡因|巴坦|培南|匹林|芬净|米星)$"
)
"""Endings of Chinese drug names (transliterated INN stems)."""

_DISEASE_EN = re.compile(
    r"[a-z]{2,}(?:itis|a?emia|oma|osis|pathy)|diabetes|hypertension|influenza|malaria|measles|asthma|pneumonia"
    r"|dementia|epilepsy|schizophrenia|autism|cholera|dysentery|dengue|typhoid|gout|rabies|tetanus|leprosy"
    r"|sepsis|covid|coronavirus",
    re.IGNORECASE)
_NOT_DISEASE_EN = frozenset({"diagnosis", "prognosis", "apoptosis", "hypnosis", "osmosis", "symbiosis", "mitosis",
                             "meiosis", "diploma", "aroma", "sympathy", "empathy", "telepathy", "homeopathy",
                             # words with a disease's ending that name no disease: a field (academia, the sense
                             # of 学界), a tissue or an opening (stroma, stoma), a process, a normal state
                             "academia", "stoma", "stroma", "soma", "chroma", "anastomosis", "homeostasis",
                             "hemostasis", "haemostasis", "endocytosis", "exocytosis", "phagocytosis",
                             "pinocytosis", "osteopathy", "naturopathy", "normoglycemia", "euglycemia",
                             "normocalcemia", "normokalemia", "normonatremia"})
"""Words with a disease's ending (:data:`_DISEASE_EN`) that are not diseases."""
_DISEASE_ZH = re.compile(r"^(?:[\u4e00-\u9fff]{2,}[病症]|[\u4e00-\u9fff]+(?:炎|癌|瘤|综合征|综合症))$")
_NOT_DISEASE_ZH = frozenset({"传染病", "慢性病", "常见病", "多发病", "职业病", "并发病", "原发病", "基础病", "流行病",
                             "炎症", "肿瘤", "癌症", "恶性肿瘤",
                             # …症 words that name no disease: complications, indications, severity
                             "并发症", "合并症", "后遗症", "适应症", "禁忌症", "重症", "危重症", "急危重症", "急症",
                             "病症", "轻症", "对症", "不良反应症", "症"})


def is_disease(word: str) -> bool:
    """Whether a word of a question names a particular disease (hepatitis, carcinoma, 糖尿病, 肺癌, 抑郁症), by
    the endings medical terms share (-itis, -emia, -oma, -osis, -pathy; …病, …症, …炎, …癌, …瘤, 综合征) and
    a few common disease words without one. General words (diagnosis, syndrome, cancer, 传染病, 肿瘤) are
    not: a question may name the class of what the documents name in particular."""
    if has_cjk(word):
        return word not in _NOT_DISEASE_ZH and bool(_DISEASE_ZH.match(word))
    return word.lower() not in _NOT_DISEASE_EN and bool(_DISEASE_EN.fullmatch(word))


@dataclass(frozen=True)
class CleanQuestion:
    text: str
    notices: tuple[str, ...]


def clean(question: str, max_chars: int) -> CleanQuestion:
    """Strip control characters and escapes, collapse whitespace, truncate very long input."""
    notices: list[str] = []
    text = " ".join(strip_escapes(question, " ").split())
    if len(text) > max_chars:
        notices.append(f"the question was {len(text):,} characters long; only the first {max_chars:,} were searched")
        text = text[:max_chars].rstrip()
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question is empty; type a question in Chinese or English")
    return CleanQuestion(text, tuple(notices))


def detect_language(text: str) -> str:
    """``zh`` when Chinese carries the question, else ``en`` (mixed questions count by weight)."""
    cjk = han_count(text)
    latin = len(_LATIN_WORD.findall(text))
    return "zh" if cjk and cjk / 1.5 >= latin else "en"


def is_follow_up(text: str, language: str) -> bool:
    """Whether a question leans on the one before it: short, and elliptic or with a pronoun."""
    if language == "zh":
        return len(text) <= 16 and bool(_FOLLOW_UP_ZH.search(text))
    return len(text.split()) <= 8 and bool(_FOLLOW_UP_EN.search(text))


def is_name(word: str) -> bool:
    """Whether a word of a question names a particular thing (a drug, trial, gene, organism) rather than
    saying something general: a code (HER2, BOLERO-2), a capitalised word inside a sentence is not
    enough; an international non-proprietary drug-name ending (-mab, -nib, -olimus, an enzyme's -ase) or a
    Chinese drug-name ending (单抗, 替尼, 莫司) is."""
    if NAME.fullmatch(word):
        return True
    if has_cjk(word):
        return len(word) >= 3 and bool(ZH_DRUG_SUFFIX.search(word))
    lowered = word.lower()
    if len(lowered) >= 8 and lowered.endswith("ase") and lowered not in _NOT_ENZYME:
        return True  # an enzyme given as a drug: rasburicase, pegloticase, alteplase
    return bool(_DRUG_SUFFIX.search(lowered))


_NOT_ENZYME = frozenset({"increase", "decrease", "database", "purchase", "showcase", "staircase", "briefcase",
                         "suitcase", "uppercase", "lowercase", "bookcase", "underuse"})


_NAME_BREAK = re.compile(r"[和与及或跟同并、，,；;：:（）()\s]")
"""Characters that end a name cut into pieces: conjunctions and punctuation."""


def drug_names(compact: str, segment: Callable[[str], list[str]]) -> list[str]:
    """Chinese drug names as the question writes them, whatever pieces the segmenter cut them into
    (阿托 伐 他 汀 → 阿托伐他汀; 氟维司 群有 → 氟维司群; 他 莫昔芬 → 他莫昔芬). In each stretch between
    conjunctions and punctuation (``compact``: the question without spaces), a name ends like a drug name
    (:data:`ZH_DRUG_END`, possibly inside a word: 群有) and begins with the word holding that ending; it
    takes in the words before it, up to :data:`_NAME_MAX` characters, while they are pieces of a
    transliteration: a word CC-CEDICT does not know (阿托, 贝西), a character used to transliterate
    (:data:`_TRANSLITERATION`: 阿, 他, 伐), or any word while the name is shorter than three characters
    (万古 霉素). A general word (服用, 吃) ends it."""
    out: list[str] = []
    for stretch in _NAME_BREAK.split(compact):
        if len(stretch) < 3 or not has_cjk(stretch):
            continue
        words = segment(stretch)
        starts = [0]
        for word in words:
            starts.append(starts[-1] + len(word))
        for m in ZH_DRUG_END.finditer(stretch):
            end = m.end()
            i = max(k for k in range(len(words)) if starts[k] < end)
            begin = starts[i]
            while i > 0 and end - starts[i - 1] <= _NAME_MAX:
                before = words[i - 1]
                if not (end - begin < 3 or before not in cedict() or before in _TRANSLITERATION):
                    break
                i -= 1
                begin = starts[i]
            name = stretch[begin:end]
            if len(name) >= 3 and name not in out:
                out.append(name)
    return out


_TRANSLITERATION = frozenset("阿艾奥巴贝比波布达迪地恩凡非氟伏福戈格吉卡坎柯克库拉莱兰雷黎利卢鲁罗洛"
                             "马曼美米莫那纳奈尼诺帕哌培匹普齐奇曲屈瑞塞沙舍舒司苏索他泰坦替托妥瓦韦"
                             "维西昔伊依扎唑伐汀")
"""Characters Chinese drug names are transliterated with, when the segmenter leaves one alone."""


ZH_DRUG_END = re.compile(ZH_DRUG_SUFFIX.pattern.removesuffix("$").replace("|头孢[\\u4e00-\\u9fff]+", ""))
"""A drug-name ending anywhere in a text: :data:`ZH_DRUG_SUFFIX` unanchored, without its 头孢 prefix
(头孢类过敏 is no name; a cephalosporin the segmenter keeps whole, 头孢呋辛, is one by :func:`is_name`)."""
_NAME_MAX = 7
"""The longest Chinese drug name read from a question, in characters (伊尼妥单抗, 阿托伐他汀钙 fit)."""


def namelike(entry: Entry) -> bool:
    """A glossary pair that names a thing (a drug, a gene, a trial) rather than a general notion."""
    return bool(entry.abbr and NAME.fullmatch(entry.abbr)) or is_name(entry.en.split()[-1] if entry.en else "") or (
        bool(entry.en) and len(entry.en.split()) == 1 and entry.en[:1].islower() and len(entry.en) >= 6)


_GENERIC = frozenset(english_terms(
    "dose doses dosage dosing use used usage treat treatment recommend recommended patient patients effect effects "
    "side adverse common usual typical how long many much time day days week weeks often frequency duration "
    "interval half life half-life mechanism work works contraindication contraindications interaction "
    "interactions indication indications safe safety risk risks maximum minimum start starting given give take "
    "taken route route administered administration about then also what which when why")
    + ["剂量", "用量", "用法", "使用", "治疗", "推荐", "患者", "病人", "作用", "效果", "多久", "多长", "时间", "副作用",
       "不良", "反应", "不良反应", "禁忌", "禁忌症", "相互作用", "半衰期", "机制", "疗程", "次", "多少", "几", "怎么",
       "怎样", "如何", "用", "吃", "服用", "给药", "最大", "最多", "安全", "风险"])


def is_generic(word: str) -> bool:
    """A word that asks about an attribute (dose, 剂量, side effects), not about a thing."""
    return word in _GENERIC


def surface_words(text: str) -> dict[str, str]:
    """Each English stem of a text → the word as written there (the first time), for showing people."""
    out: dict[str, str] = {}
    for word in re.findall(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", text):
        for stem in english_terms(word):
            out.setdefault(stem, word)
    return out
