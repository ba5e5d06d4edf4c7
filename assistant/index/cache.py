"""A cache of passage embeddings, keyed by a hash of the embedder and the embedded text.

Kept in one ``.npz`` file per embedder (NumPy arrays only, never pickle), replaced atomically. An
unchanged passage is never embedded twice, whatever else changed in the corpus.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

from .store import checkpoint, write_atomic

MAX_ENTRIES = 200_000


class EmbeddingCache:
    def __init__(self, directory: Path, embedder_id: str, dim: int) -> None:
        slug = hashlib.sha256(embedder_id.encode()).hexdigest()[:16]
        self.path = directory / f"embeddings-{slug}.npz"
        self.dim = dim

    def _read(self) -> tuple[np.ndarray, np.ndarray]:
        empty = (np.zeros(0, dtype="U64"), np.zeros((0, self.dim), dtype=np.float32))
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, AttributeError):
            return empty  # a missing or damaged cache only costs time (BadZipFile: truncated, bad CRC)
        if (
            keys.ndim != 1 or keys.dtype.kind != "U" or vectors.ndim != 2 or vectors.dtype.kind != "f"
            or vectors.shape[1] != self.dim or len(keys) != len(vectors) or not np.isfinite(vectors).all()
        ):
            return empty
        return keys, vectors.astype(np.float32, copy=False)

    def lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        wanted = set(keys)
        cached_keys, vectors = self._read()
        found = {str(k): vectors[i] for i, k in enumerate(cached_keys) if k in wanted}
        checkpoint("embed-start")  # test hook: what is missing is embedded next
        return found

    def store(self, keys: list[str], vectors: np.ndarray) -> None:
        """Remember these vectors (newest first), keeping older entries up to the size limit."""
        old_keys, old_vectors = self._read()
        fresh = set(keys)
        keep = [i for i, k in enumerate(old_keys) if k not in fresh][: max(0, MAX_ENTRIES - len(keys))]
        all_keys = np.concatenate([np.asarray(keys, dtype="U64"), old_keys[keep]])
        all_vectors = np.concatenate([np.asarray(vectors, dtype=np.float32), old_vectors[keep]])
        buffer = io.BytesIO()
        np.savez(buffer, keys=all_keys, vectors=all_vectors)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, buffer.getvalue())
