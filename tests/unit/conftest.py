"""The unit tier: small inputs, no embedding model. Loading one here fails the test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_embedding_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a unit test loaded an embedding model; use tests/support/embedder.TinyEmbedder")

    monkeypatch.setattr("assistant.embed.load_embedder", refuse)
    monkeypatch.setattr("assistant.core.load_embedder", refuse)
