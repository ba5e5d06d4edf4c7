"""A tiny deterministic embedder for the fast tests: no model, no download, microseconds per text.

Each text becomes a bag of its character bigrams and lower-cased words, hashed (blake2b, so the same on
every machine and run) into :data:`DIM` signed buckets and scaled to unit length. Texts that share
words or Chinese bigrams get a positive cosine, so a small index answers exact-term questions; it knows
nothing of meaning or of the other language. It satisfies :class:`assistant.embed.Embedder`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

DIM = 64
_WORD = re.compile(r"[a-z0-9]+")


def _features(text: str) -> list[str]:
    folded = text.lower()
    words = _WORD.findall(folded)
    cjk = [ch for ch in folded if "\u4e00" <= ch <= "\u9fff"]
    return words + [a + b for a, b in zip(cjk, cjk[1:], strict=False)] + cjk


def _vector(text: str) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    for feature in _features(text):
        h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
        v[h % DIM] += 1.0 if (h >> 32) & 1 else -1.0
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


class TinyEmbedder:
    """Hashed bag-of-features vectors: ``float32``, shape ``(n, 64)``, unit norm (zero for a text with no
    features). ``calls`` counts passages embedded, so tests can check what the cache spared."""

    id = "tests/tiny-hash-64"
    dim = DIM

    def __init__(self) -> None:
        self.calls = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([_vector(t) for t in texts]) if texts else np.zeros((0, DIM), dtype=np.float32)

    def encode_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:  # type: ignore[no-untyped-def]
        self.calls += len(texts)
        out = self.encode_queries(texts)
        if progress:
            progress(len(texts), len(texts))
        return out


class TinyCrossEmbedder(TinyEmbedder):
    """The tiny embedder standing in for the cross-lingual encoder: another id (so its vectors are kept and
    cached apart), the same features."""

    id = "tests/tiny-hash-64-crosslingual"
