"""Search: analyse and expand a question, search both sides, fuse, and decide whether to abstain.

``expand`` turns a question into a weighted :class:`~assistant.records.Query`, ``searcher`` holds the one
seam (:class:`Searcher`), ``fusion`` and ``abstain`` are its steps.
"""

from __future__ import annotations

from .expand import Expander, clean
from .searcher import Searcher

__all__ = ["Expander", "Searcher", "clean"]
