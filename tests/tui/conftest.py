"""Fixtures for the chat tests (helpers live in tui_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import FakeAssistant


@pytest.fixture
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    path = tmp_path / "exports"
    path.mkdir()
    return path
