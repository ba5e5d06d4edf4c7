"""What the index holds for each passage: the text that is embedded, and the terms that are indexed.

A passage is embedded with its section heading and the English glosses of the glossary terms it
contains, so that English questions find Chinese passages; its sparse terms are its own words plus
those glosses, marked apart (``@``). The eval suite measured the alternatives (evals/results/tuning.md):
adding the document title made both sides worse; the bare text lost a little; the gloss line lifted
English questions over Chinese passages.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..ingest.chunk import context_line
from ..lexicon import glossary
from ..lexicon.analyze import english_terms
from ..lexicon.script import LIGATURES, to_simplified
from ..records import Passage


def glosser_for(lexicon: glossary.Lexicon, domain_pack: bool = True) -> glossary.Glosser:
    """The glosser over a collection's own pairs and (``domain_pack``) the bundled glossary."""
    return glossary.Glosser(lexicon.entries + glossary.bundled_entries(domain_pack))


def embedding_text(passage: Passage, glosser: glossary.Glosser | None = None) -> str:
    """What is embedded (and, with the gloss terms, indexed) for a passage: its innermost heading, the
    caption and header row of the table it continues, its text, and the English glosses of the glossary
    terms it contains. Traditional characters are folded to Simplified (OpenCC t2s, as questions are)
    and ligatures (ﬁ ﬂ) spelled out; the passage's own text keeps its original characters."""
    text = searchable(passage.text)
    parts = [searchable(context_line(passage)), searchable(passage.context), text,
             glosser.gloss_line(text) if glosser else ""]
    return "\n".join(p for p in parts if p)


def searchable(text: str) -> str:
    """A text as search sees it: Simplified characters, ligatures spelled out (same length or longer)."""
    return to_simplified(text.translate(LIGATURES)) if text else text


def embedding_texts(passages: Sequence[Passage], lexicon: glossary.Lexicon, domain_pack: bool = True) -> list[str]:
    """Exactly the texts that are embedded for these passages."""
    glosser = glosser_for(lexicon, domain_pack)
    return [embedding_text(p, glosser) for p in passages]


def gloss_terms(text: str, glosser: glossary.Glosser) -> list[str]:
    """Sparse terms for the English glosses of a passage, kept apart from its own words (``@``-marked)."""
    return [glossary.GLOSS_MARK + w for e in glosser.find(searchable(text)) for w in english_terms(e.en or e.abbr)]
