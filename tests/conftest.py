"""Shared fixtures. The seeds index is built once per test session with the real default embedder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the real seeds, built once (about 15 s on two cores)."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    index_dir = tmp_path_factory.mktemp("index")
    Assistant(Settings.load(seeds=SEEDS, index=index_dir)).open()
    return index_dir


@pytest.fixture(scope="session")
def assistant(built_index: Path):
    """An Assistant over the seeds index, opened and warmed (shared: do not mutate its settings)."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    a = Assistant(Settings.load(seeds=SEEDS, index=built_index))
    a.open()
    a.warm()
    return a


@pytest.fixture(autouse=True)
def _user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chat's history and exports go to a scratch folder, never the user's own."""
    if not os.environ.get("ASSISTANT_DATA"):
        monkeypatch.setenv("ASSISTANT_DATA", str(tmp_path_factory.mktemp("data")))
    if not os.environ.get("ASSISTANT_EXPORT"):
        monkeypatch.setenv("ASSISTANT_EXPORT", str(tmp_path_factory.mktemp("exports")))
