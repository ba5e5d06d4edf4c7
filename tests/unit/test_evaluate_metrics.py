"""The eval's figures on synthetic data: answer-sentence overlap, conversation scoring, the confidence AUC,
leave-one-collection-out selection, and the typed expected-figures file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from assistant.evaluate import gate, tune
from assistant.evaluate.figures import FigureRef
from assistant.evaluate.gold import Evidence, Question, locate
from assistant.evaluate.harness import highlight
from assistant.evaluate.metrics import Highlight, Outcome, Retrieved, confidence_auc, judge, summarize
from assistant.evaluate.spans import align, original_span, overlaps
from assistant.records import Answer, Citation, Passage, Statement

# ---------------------------------------------------------------------------------- answer sentences

SOURCE = ("第一行文字。\n"
          "氟维司群是 SERDs 的代表\n"
          "性药物。−− 45\n"           # a page number the normalizer drops, inside the passage
          "它可阻断内质网二聚化。endo⁃\ncrine therapy works.\n")


def _passage(text: str, start: int, end: int) -> Passage:
    return Passage(0, "a.txt", "t", "s", start, end, 1, 3, text)


def test_align_maps_every_kept_character_back() -> None:
    start = SOURCE.index("氟")
    end = SOURCE.index("works.") + len("works.")
    text = "氟维司群是 SERDs 的代表性药物。它可阻断内质网二聚化。endocrine therapy works."
    offsets = align(text, SOURCE, start, end)
    assert offsets is not None
    for i, ch in enumerate(text):
        assert offsets[i] == -1 if ch.isspace() else SOURCE[offsets[i]] == ch
    assert offsets[0] == start and offsets[-1] == end - 1
    # the sentence after the dropped page number maps to its own place in the file
    b = text.index("它")
    e = text.index("。", b) + 1
    span = original_span(_passage(text, start, end), (b, e), SOURCE)
    assert span is not None and SOURCE[span[0]:span[1]] == "它可阻断内质网二聚化。"
    # a sentence rejoined across a hyphenated line break spans the break in the original
    b = text.index("endocrine")
    span = original_span(_passage(text, start, end), (b, len(text)), SOURCE)
    assert span is not None and SOURCE[span[0]:span[1]] == "endo⁃\ncrine therapy works."


def test_text_that_does_not_align_gives_none() -> None:
    assert align("不在这里", SOURCE, 0, len(SOURCE)) is None
    assert original_span(_passage("完全不同", 0, 10), (0, 2), SOURCE) is None


def _evidence(quote: str, doc: str = "a.txt") -> Evidence:
    [(start, end)] = locate(SOURCE, quote)
    return Evidence("q#0", doc, start, end, quote)


def test_sentence_hit_needs_a_shared_character_in_the_same_file() -> None:
    ev = _evidence("可阻断内质网二聚化")
    q = Question("q", "作用机制?", "zh", "mechanism", (ev,))
    at = SOURCE.index("它可阻断")
    hit = Outcome(q, [], False, 0.9, Highlight("a.txt", at, at + 11, "它可阻断内质网二聚化。"))
    assert hit.sentence_hit
    assert not Outcome(q, [], False, 0.9, Highlight("b.txt", at, at + 11, "x")).sentence_hit
    before = SOURCE.index("氟")
    assert not Outcome(q, [], False, 0.9, Highlight("a.txt", before, at, "x")).sentence_hit  # touches, no overlap
    assert not Outcome(q, [], False, 0.9, None).sentence_hit
    assert overlaps((0, 5), (4, 9)) and not overlaps((0, 5), (5, 9))


def _answer(statement: bool, best: tuple[int, int] | None) -> Answer:
    start = SOURCE.index("氟")
    end = SOURCE.index("二聚化。") + 4
    text = "氟维司群是 SERDs 的代表性药物。它可阻断内质网二聚化。"
    p = _passage(text, start, end)
    other = Passage(1, "a.txt", "t", "s", 0, 6, 1, 1, "第一行文字。")
    cites = (Citation(1, p, 1.0, best), Citation(2, other, 0.5, (0, 6)))
    stmts = (Statement(text[best[0]:best[1]], 1, best),) if statement and best else ()
    return Answer("q", "zh", "q", False, cites, "hybrid", statements=stmts)


def test_highlight_is_the_first_statement_else_the_best_sentence_of_citation_one() -> None:
    text = "氟维司群是 SERDs 的代表性药物。它可阻断内质网二聚化。"
    b = text.index("它")
    source = {"a.txt": SOURCE}.__getitem__
    for with_statement in (True, False):
        h = highlight(_answer(with_statement, (b, len(text))), source)
        assert h is not None and SOURCE[h.start:h.end] == "它可阻断内质网二聚化。" and h.text == text[b:]
    assert highlight(_answer(False, None), source) is None


# ---------------------------------------------------------------------------------- conversations


def _q(qid: str, answerable: bool = True, history: tuple[str, ...] = (), lang: str = "en") -> Question:
    evidence = (Evidence(f"{qid}#0", "a.txt", 100, 200, "quote"),) if answerable else ()
    kind = ("follow-up" if history else "opening") if qid.startswith("c") else "factual"
    return Question(qid, f"question {qid}?", lang, kind if answerable or history else "unanswerable", evidence,
                    history)


def _o(q: Question, rank: int | None, abstained: bool = False, confidence: float = 0.9,
       sentence: bool = False) -> Outcome:
    retrieved = [Retrieved("a.txt", 100 if r == rank else 1000 + 100 * r, (200 if r == rank else 1100 + 100 * r), 1 / r)
                 for r in range(1, 11)]
    h = Highlight("a.txt", 150, 160, "s") if sentence else None
    return judge(Outcome(q, retrieved, abstained, confidence, h))


def test_conversation_figures() -> None:
    questions = [_o(_q("q1"), 1, sentence=True), _o(_q("q2", answerable=False), None, abstained=True)]
    turns = [
        _o(_q("c1.1"), 1, sentence=True),
        _o(_q("c1.2", history=("question c1.1?",)), 7),          # follow-up found, but below rank 5
        _o(_q("c2.1"), 3),
        _o(_q("c2.2", history=("question c2.1?",)), 2),
        _o(_q("c2.3", answerable=False, history=("a", "b")), None, abstained=False),  # should have abstained
    ]
    s = summarize(questions, turns, conversations=2)
    c = s.conversation
    assert c is not None and (c.conversations, c.turns, c.unanswerable) == (2, 5, 1)
    assert c.answered.n == 4 and c.answered.hit5 == pytest.approx(3 / 4)
    assert c.answered.mrr10 == pytest.approx((1 + 1 / 7 + 1 / 3 + 1 / 2) / 4)
    assert c.follow_up.n == 2 and c.follow_up.hit5 == pytest.approx(1 / 2)
    assert c.answered.sentence == pytest.approx(1 / 4)
    assert c.abstention.recall == 0.0 and c.abstention.precision == 0.0
    assert FigureRef("conversation", "Hit@5").of(s) == pytest.approx(0.75)
    assert FigureRef("conversation", "Hit@5", "follow-up").of(s) == pytest.approx(0.5)
    assert FigureRef("overall", "Sentence").of(s) == 1.0
    assert summarize(questions).conversation is None and FigureRef("conversation", "Hit@5").of(
        summarize(questions)) is None


# ---------------------------------------------------------------------------------- AUC


def _pairs_auc(pos: list[float], neg: list[float]) -> float:
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


@pytest.mark.parametrize(("pos", "neg"), [
    ([0.9, 0.8, 0.95], [0.5, 0.6]),          # separated: 1.0
    ([0.5, 0.6], [0.9, 0.8, 0.95]),          # reversed: 0.0
    ([0.7, 0.9, 0.6, 0.8], [0.75, 0.7, 0.5]),  # overlapping, with a tie
])
def test_confidence_auc_is_the_share_of_correctly_ordered_pairs(pos: list[float], neg: list[float]) -> None:
    outcomes = [_o(_q(f"p{i}"), 1, confidence=c) for i, c in enumerate(pos)]
    outcomes += [_o(_q(f"n{i}", answerable=False), None, confidence=c) for i, c in enumerate(neg)]
    assert confidence_auc(outcomes) == pytest.approx(_pairs_auc(pos, neg))
    assert summarize(outcomes).abstention.auc == pytest.approx(_pairs_auc(pos, neg))
    assert confidence_auc(outcomes[: len(pos)]) is None  # one class only


# ---------------------------------------------------------------------------------- leave one out


TABLE = {
    "current settings": {"a": 0.70, "b": 0.50, "c": 0.60, "d": 0.40},
    "x=1": {"a": 0.90, "b": 0.40, "c": 0.55, "d": 0.45},      # great on a only
    "x=2": {"a": 0.60, "b": 0.60, "c": 0.65, "d": 0.50},      # best on average without a
    "x=3": {"a": 0.70, "b": 0.50, "c": 0.60, "d": 0.40},      # a tie with the current settings
}


def test_leave_one_collection_out_chooses_on_the_others() -> None:
    folds = tune.leave_one_out(TABLE, ["a", "b", "c", "d"])
    assert folds["a"] == ("x=2", pytest.approx((0.60 + 0.65 + 0.50) / 3))
    assert folds["b"][0] == "x=1"  # (0.90 + 0.55 + 0.45) / 3 = 0.633 > x=2's 0.583
    assert {folds["c"][0], folds["d"][0]} == {"x=1"}
    assert tune.choose(TABLE, ["a", "b", "c", "d"]) == ("x=2", pytest.approx(0.5875))
    # a tie keeps the candidate listed first
    assert tune.choose({"current settings": {"a": 0.5}, "y": {"a": 0.5}}, ["a"])[0] == "current settings"
    with pytest.raises(ValueError):
        tune.choose(TABLE, [])


def test_grid_reads_settings_by_name_and_skips_unknown_ones(tmp_path: Path) -> None:
    from assistant.settings import Settings

    s = Settings()
    grid = [{"weight_sparse_same": 0.25}, {"no_such_setting": 1}, {"weight_sparse_same": s.weight_sparse_same},
            {"k": 0}, {"fusion": "rrf", "rrf_k": 60.0}, {"weight_sparse_same": 0.25}]
    candidates, skipped = tune.query_grid(s, grid)
    assert [c.label for c in candidates] == ["weight_sparse_same=0.25", "fusion=rrf, rrf_k=60"]
    assert any("no_such_setting" in why for why in skipped) and any("k=0" in why for why in skipped)
    default, _ = tune.query_grid(s)
    labels = [c.label for c in default]
    assert f"abstain_threshold={round(s.confidence_threshold * 1.05, 4):g}" in labels
    assert all(c.changes for c in default) and len(set(labels)) == len(labels)
    lexical, _ = tune.index_grid(s, tune.LEXICAL_GRID)  # every --tune also tries the other bigram choice
    assert [(c.label, c.index_time) for c in lexical] == [(f"chinese_bigrams={not s.chinese_bigrams}", True)]
    path = tmp_path / "grid.json"
    path.write_text(json.dumps({"fusion_alpha": [0.3, 0.4], "reverse_weight": [0.0]}), encoding="utf-8")
    assert tune.read_grid(path) == [{"fusion_alpha": 0.3}, {"fusion_alpha": 0.4}, {"reverse_weight": 0.0}]
    path.write_text(json.dumps([{"fusion": "rrf", "rrf_k": 10}]), encoding="utf-8")
    assert tune.read_grid(path) == [{"fusion": "rrf", "rrf_k": 10}]
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(Exception, match="must hold"):
        tune.read_grid(path)


# ---------------------------------------------------------------------------------- the gate file


def _summary():  # type: ignore[no-untyped-def]
    questions = [_o(_q("q1"), 1, sentence=True), _o(_q("q2", lang="zh"), 2), _o(_q("q3"), None),
                 _o(_q("q4", answerable=False), None, abstained=True, confidence=0.3)]
    turns = [_o(_q("c1.1"), 1), _o(_q("c1.2", history=("x",)), 6)]
    return summarize(questions, turns, 1)


def test_expected_file_round_trips_typed(tmp_path: Path) -> None:
    s = _summary()
    entry = gate.entry_for("seeds", "on", s, 4, 2)
    assert {r.key for r in entry.figures if r.group == "direction"} == {"en→en", "zh→en"}
    assert entry.figures[FigureRef("conversation", "Hit@5")] == 0.5
    expected = gate.updated(None, "hybrid+xling", [entry])
    path = tmp_path / "expected.json"
    gate.write_expected(path, expected)
    data = json.loads(path.read_text(encoding="utf-8"))
    scores = data["entries"][0]["scores"]
    assert scores["direction"]["en→en"]["Hit@5"] == 0.5 and scores["abstention"]["f1"] == 1.0
    assert not any("." in k for k in scores)  # grouped, never dotted names
    back = gate.load_expected(path)
    assert back.entries[0].figures == entry.figures and back.tolerance == gate.TOLERANCE
    assert not gate.failed(gate.compare(back, [("seeds", "on", s)]))


def test_gate_fails_on_a_drop_a_missing_figure_or_a_missing_entry() -> None:
    s = _summary()
    entry = gate.entry_for("seeds", "on", s, 4, 2)
    mrr = FigureRef("overall", "MRR@10")
    figures = dict(entry.figures)

    def check(changes: dict[FigureRef, float]) -> dict[FigureRef | None, str]:
        e = gate.Expected("hybrid+xling", 0.02, (gate.Entry("seeds", "on", 4, 2, {**figures, **changes}),))
        return {c.figure: c.status for c in gate.compare(e, [("seeds", "on", s)])}

    # a ranking figure over n = 3 questions may fall by one question's worth (1/3), not more
    assert check({mrr: figures[mrr] + 0.3})[mrr] == "ok"
    assert check({mrr: figures[mrr] + 0.34})[mrr] == "drop"
    assert check({mrr: figures[mrr] - 0.4})[mrr] == "better"
    f1 = FigureRef("abstention", "f1")  # not a mean over questions: the file's tolerance
    assert check({f1: figures[f1] + 0.019})[f1] == "ok"
    assert check({f1: figures[f1] + 0.03})[f1] == "drop"
    gone = FigureRef("direction", "Hit@5", "zh→zh")  # a direction this run does not have
    assert check({gone: 0.5})[gone] == "missing"
    e = gate.Expected("hybrid+xling", 0.02, (entry,))
    [c] = gate.compare(e, [("drugs", "on", s)])
    assert c.failed and c.figure is None and "update-expected" in c.note
    # entries of collections not run are left alone; a new one is added
    both = gate.updated(e, "hybrid+xling", [gate.entry_for("drugs", "off", s, 4, 2)])
    assert [x.key for x in both.entries] == [("seeds", "on"), ("drugs", "off")]


@pytest.mark.parametrize("text", [
    '{"figures": {"a": 1}}',
    '{"entries": [{"collection": "x", "scores": {"overall": {"Hit@7": 1}}}]}',
    '{"entries": [{"collection": "x", "scores": {"overall": {"Hit@5": "high"}}}]}',
    '{"entries": [{"collection": "x", "pack": "maybe", "scores": {}}]}',
    '{"entries": [{"collection": "x", "scores": {"dotted.name": {}}}]}',
])
def test_malformed_expected_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "expected.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(gate.ExpectedError):
        gate.load_expected(path)
    with pytest.raises(gate.ExpectedError, match="update-expected"):
        gate.load_expected(tmp_path / "none.json")
