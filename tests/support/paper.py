"""The Chinese paper with an English reference list (``tests/data/paper``) and the content questions
asked of it: none of them may get a reference entry in the top three."""

from __future__ import annotations

from pathlib import Path

PAPER = Path(__file__).resolve().parents[1] / "data" / "paper"
CONTENT = [
    "What is the recommended dose of fulvestrant?",
    "氟维司群的推荐剂量是多少？",
    "What is the main mechanism of acquired endocrine resistance after aromatase inhibitors?",
    "芳香化酶抑制剂治疗后获得性耐药最常见的机制是什么？",
    "What is the most common adverse event of CDK4/6 inhibitors such as palbociclib and abemaciclib?",
    "What is the dose of elacestrant for ESR1-mutated breast cancer?",
]
