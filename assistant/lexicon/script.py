"""Script: fold Traditional Chinese to Simplified, for questions and documents alike.

OpenCC's ``t2s`` conversion (the opencc package, offline dictionaries bundled). Questions are searched
in Simplified (:mod:`assistant.search.expand`); a document in Traditional characters is indexed and
embedded in Simplified too (:mod:`assistant.index.represent`), while its passages, citations and
offsets keep the original characters. On Simplified text the conversion changes nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..text import has_cjk

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st"})
"""Latin ligatures (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) spelled out, for :meth:`str.translate`."""


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters converted to Simplified (unchanged when it has no Han)."""
    return str(_t2s().convert(text)) if has_cjk(text) else text
