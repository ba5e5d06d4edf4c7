"""With the real model, in every mode: no reference entry of a Chinese paper's English reference list is
in the top 3 for a content question in either language; back matter is found when asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.settings import Settings

PAPER = Path(__file__).resolve().parents[1] / "data" / "paper"
CONTENT = [
    "What is the recommended dose of fulvestrant?",
    "氟维司群的推荐剂量是多少？",
    "What is the main mechanism of acquired endocrine resistance after aromatase inhibitors?",
    "芳香化酶抑制剂治疗后获得性耐药最常见的机制是什么？",
    "What is the most common adverse event of CDK4/6 inhibitors such as palbociclib and abemaciclib?",
    "What is the dose of elacestrant for ESR1-mutated breast cancer?",
]


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
