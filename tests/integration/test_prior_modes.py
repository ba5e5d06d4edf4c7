"""With the real model, in every mode: no reference entry of a Chinese paper's English reference list is
in the top 3 for a content question in either language; back matter is found when asked for."""

from __future__ import annotations

import shutil

import pytest
from support.paper import CONTENT, PAPER

from assistant.core import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow  # its own index of the reference-list paper, every question in each mode


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("paper")
    shutil.copytree(PAPER, root / "seeds", ignore=shutil.ignore_patterns("*.md"))
    a = Assistant(Settings(seeds=root / "seeds", index=root / "index"))
    a.open()
    return a


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
@pytest.mark.parametrize("question", CONTENT)
def test_no_reference_in_the_top_three(paper, question, mode):
    ans = paper.ask(question, mode=mode, k=3)
    assert "references" not in [c.passage.role for c in ans.citations]


@pytest.mark.parametrize(("question", "role"), [("Who funded the study?", "funding"),
                                                ("Which reference is Smith 2019?", "references")])
def test_asked_for_back_matter_is_found(paper, question, role):
    ans = paper.ask(question, k=3)
    assert role in [c.passage.role for c in ans.citations]
