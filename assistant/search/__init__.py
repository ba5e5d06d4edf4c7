"""Search: analyse and expand a question, search both sides, fuse, and decide whether to abstain.

``question`` cleans a question and tells its language, ``expand`` turns it into a weighted
:class:`~assistant.records.Query`, ``searcher`` holds the one seam (:class:`Searcher`), ``fusion``,
``prior`` and ``abstain`` are its steps.
"""

from __future__ import annotations

from .expand import Expander
from .question import clean
from .searcher import Searcher

__all__ = ["Expander", "Searcher", "clean"]
