"""The eval suite: the regression gate on the real seeds, and the report machinery on synthetic data.

``test_quality_gate`` runs the default mode over the whole gold set on the session's seeds index and
fails when a figure falls below ``evals/expected.json`` minus its tolerance (regenerate the file with
``assistant eval --update-expected`` after an intended change).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.cli import run_main

from assistant.evaluate import gate, report
from assistant.evaluate.figures import ModeResult, best_threshold, check_targets
from assistant.evaluate.gold import Evidence, Question, load_gold
from assistant.evaluate.harness import DEFAULT_MODE, mode_named, run_mode
from assistant.evaluate.metrics import Outcome, Retrieved, judge, summarize

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold.jsonl"
EXPECTED = ROOT / "evals" / "expected.json"
SEEDS = ROOT / "seeds"


# ---------------------------------------------------------------------------------- the real gate


def test_quality_gate(assistant) -> None:
    expected = gate.load_expected(EXPECTED)
    questions = load_gold(GOLD, SEEDS)
    assert expected["mode"] == DEFAULT_MODE
    assert expected["questions"] == len(questions), "the gold set changed: run assistant eval --update-expected"
    outcomes = run_mode(assistant, questions, mode_named(DEFAULT_MODE))
    comparisons = gate.compare(expected, summarize(outcomes))
    drops = [f"{c.name}: {c.expected:.3f} → {c.measured}" for c in comparisons if c.failed]
    assert not drops, f"retrieval quality fell below evals/expected.json (tolerance {expected['tolerance']}): {drops}"


# ---------------------------------------------------------------------------------- synthetic data


def _question(qid: str, lang: str = "en", kind: str = "factual", answerable: bool = True) -> Question:
    evidence = (Evidence(f"{qid}#0", "a.txt", 100, 200, "某个引文"),) if answerable else ()
    return Question(qid, f"question {qid}?", lang, kind, evidence)


def _outcome(q: Question, relevant_rank: int | None, abstained: bool = False, confidence: float = 0.9) -> Outcome:
    retrieved = []
    for rank in range(1, 6):
        start = 100 if rank == relevant_rank else 1000 + rank * 100
        retrieved.append(Retrieved("a b.txt" if rank == 5 else "a.txt", start, start + 100, 1.0 / rank,
                                   f"passage {rank}", "1 Section"))
    return judge(Outcome(q, retrieved, abstained, confidence))


def _results() -> list[ModeResult]:
    outcomes = [
        _outcome(_question("q1"), 1),
        _outcome(_question("q2", "zh"), 2),
        _outcome(_question("q3", "zh", "paraphrase"), None),
        _outcome(_question("q4", kind="unanswerable", answerable=False), None, abstained=True, confidence=0.5),
        _outcome(_question("q5", kind="unanswerable", answerable=False), None, confidence=0.7),
    ]
    return [ModeResult(DEFAULT_MODE, outcomes, summarize(outcomes), 1.0)]


def test_summary_and_targets() -> None:
    [r] = _results()
    overall = r.summary.overall
    assert overall.n == 3 and overall.hit1 == pytest.approx(1 / 3) and overall.hit5 == pytest.approx(2 / 3)
    assert overall.value("MRR@10") == pytest.approx((1 + 0.5) / 3)
    assert r.summary.abstention.precision == 1.0 and r.summary.abstention.recall == 0.5
    targets = {t.target.figure.label: t for t in check_targets(r, threshold=0.6)}
    zh = targets["direction.zh→zh.Hit@5"]
    assert not zh.met and "q3" in zh.why and "1 of 2" in zh.why
    assert "threshold" in targets["overall.abstain_f1"].why


def test_best_threshold_sweeps_confidences() -> None:
    [r] = _results()
    best = best_threshold(r.outcomes, current=0.6)
    assert best.abstention.f1 == 1.0 and 0.7 < best.threshold < 0.9


def test_trec_run_format() -> None:
    lines = report.trec_lines(_results())
    assert len(lines) == 25
    for line in lines:
        qid, q0, docno, rank, score, tag = line.split(" ")
        assert q0 == "Q0" and tag == DEFAULT_MODE and int(rank) >= 1
        float(score)
    assert lines[0].split()[2] == "a.txt:100-200"
    assert lines[4].split()[2] == "a_b.txt:1500-1600"  # whitespace in a file name cannot break the format
    assert [int(x.split()[3]) for x in lines[:5]] == [1, 2, 3, 4, 5]


def test_gate_fails_on_a_drop() -> None:
    [r] = _results()
    expected = gate.expected_document(r.summary, DEFAULT_MODE, 5)
    assert not gate.failed(gate.compare(expected, r.summary))
    figures = expected["figures"]
    figures["overall.MRR@10"] += 0.019  # within the tolerance
    assert not gate.failed(gate.compare(expected, r.summary))
    figures["overall.MRR@10"] += 0.01  # now 0.029 above what is measured: a drop
    comparisons = {c.name: c for c in gate.compare(expected, r.summary)}
    assert comparisons["overall.MRR@10"].status == "drop" and gate.failed(list(comparisons.values()))
    figures["overall.MRR@10"] -= 0.2
    assert gate.compare(expected, r.summary)[2].status == "better"
    figures["direction.xx→yy.Hit@5"] = 0.5  # a group that vanished fails too
    assert gate.failed(gate.compare(expected, r.summary))


def test_expected_file_problems(tmp_path: Path) -> None:
    with pytest.raises(gate.ExpectedError, match="update-expected"):
        gate.load_expected(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"figures": {"a": "x"}}', encoding="utf-8")
    with pytest.raises(gate.ExpectedError):
        gate.load_expected(bad)


def test_report_files(tmp_path: Path) -> None:
    from assistant.evaluate import failures as fail
    from assistant.evaluate import files
    from assistant.settings import Settings

    results = _results()
    found = fail.collect(results[0].outcomes)
    assert [(f.qid, f.kind) for f in found] == [("q3", "miss"), ("q5", "answered")]
    targets = check_targets(results[0], 0.6)
    data = report.build(results, DEFAULT_MODE, Settings(), {"path": "gold.jsonl", "questions": 5, "answerable": 3,
                        "unanswerable": 2, "evidence_spans": 3, "by_direction": {}, "by_kind": {}},
                        targets, fail.counts(found), 1.0)
    written = files.write_all(tmp_path, data, results, found)
    assert {p.name for p in written} == {"report.json", "report.md", "quality.png", "run.trec", "failures.md"}
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["modes"][DEFAULT_MODE]["overall"]["n"] == 3 and saved["targets"][0]["met"] is False
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "![" in md and "(quality.png)" in md and "**not met**" in md and "| q3 | miss |" in md
    assert (tmp_path / "quality.png").read_bytes()[:4] == b"\x89PNG"
    failures_md = (tmp_path / "failures.md").read_text(encoding="utf-8")
    assert "### q3" in failures_md and "expected: «某个引文»" in failures_md


# ---------------------------------------------------------------------------------- the command




def test_missing_gold_file_is_one_line(tmp_path: Path, capsys) -> None:
    argv = ["eval", "--gold", tmp_path / "nope.jsonl", "--seeds", SEEDS, "--index", tmp_path]
    code, out, err = run_main(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("assistant: error: cannot read gold set")


def test_unfindable_quote_is_one_line(tmp_path: Path, capsys) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x1", "question": "q?", "language": "en", "kind": "factual",
                                "evidence": [{"doc": "000_5cc127c3c086e338.txt", "quote": "no such words here"}]}),
                    encoding="utf-8")
    code, _, err = run_main(["eval", "--gold", gold, "--seeds", SEEDS, "--index", tmp_path], capsys)
    assert code == 2 and err.count("\n") == 1 and "not found" in err


@pytest.mark.parametrize("argv", [["--modes", "bogus"], ["--check", "--update-expected"], ["--check"]])
def test_bad_usage(argv: list[str], tmp_path: Path, capsys) -> None:
    shutil.copy(GOLD, tmp_path / "gold.jsonl")  # no expected.json beside it
    code, _, err = run_main(["eval", "--gold", tmp_path / "gold.jsonl", "--seeds", SEEDS, "--index", tmp_path, *argv],
                        capsys)
    assert code == 2 and err.count("\n") == 1 and "error" in err


def test_check_exit_codes(built_index: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    """--check through the command, on the (fast) sparse mode standing in for the default one."""
    from assistant.evaluate import run

    monkeypatch.setattr(run, "DEFAULT_MODE", "sparse")
    shutil.copy(GOLD, tmp_path / "gold.jsonl")
    base = ["eval", "--gold", tmp_path / "gold.jsonl", "--seeds", SEEDS, "--index", built_index]
    code, _, _ = run_main([*base, "--update-expected"], capsys)
    assert code == 0
    path = tmp_path / "expected.json"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert expected["mode"] == "sparse" and "overall.MRR@10" in expected["figures"]
    assert run_main([*base, "--check"], capsys)[0] == 0
    expected["figures"]["overall.MRR@10"] += 0.05
    path.write_text(json.dumps(expected), encoding="utf-8")
    code, out, _ = run_main([*base, "--check"], capsys)
    assert code == 1 and "DROP: overall.MRR@10" in out
    expected["figures"]["overall.MRR@10"] -= 0.5
    path.write_text(json.dumps(expected), encoding="utf-8")
    code, out, _ = run_main([*base, "--check"], capsys)
    assert code == 0 and "update-expected" in out


def test_eval_writes_reports(built_index: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run_main(["eval", "--modes", "sparse", "--out", tmp_path, "--seeds", SEEDS, "--index", built_index],
                        capsys)
    assert code == 0 and "Hit@5" in out and "targets" in out.lower()
    for name in ("report.json", "report.md", "quality.png", "run.trec", "failures.md"):
        assert (tmp_path / name).stat().st_size > 0
    run_lines = (tmp_path / "run.trec").read_text(encoding="utf-8").splitlines()
    assert 0 < len(run_lines) <= 195 * 10 and all(line.endswith(" sparse") for line in run_lines)
    assert len({line.split()[0] for line in run_lines}) > 150
