"""The regression gate on the real gold collections, and the eval command on the real seeds.

``test_quality_gate_seeds`` asks the seeds collection's questions and conversation turns in the default
mode, on the session's seeds index, and fails when a figure falls below its entry in
``evals/expected.json`` minus the tolerance (regenerate the file with ``assistant eval --update-expected``
after an intended change). The other collections need an index each (one to two minutes apiece to build
and ask on two busy cores), so their gate runs with ``pytest -m slow``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.cli import run_main

from assistant.evaluate import gate
from assistant.evaluate.collection import Collection, discover, load, pack_of, settings_for
from assistant.evaluate.harness import DEFAULT_MODE, caching, mode_named, run_mode
from assistant.evaluate.metrics import summarize

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / "evals" / "collections"
GOLD = COLLECTIONS / "seeds" / "gold.jsonl"
EXPECTED = ROOT / "evals" / "expected.json"
SEEDS = ROOT / "seeds"
OTHERS = [c.name for c in discover(COLLECTIONS) if c.name != "seeds"]


def _check(collection: Collection, assistant) -> None:  # type: ignore[no-untyped-def]
    expected = gate.load_expected(EXPECTED)
    assert expected.mode == DEFAULT_MODE
    loaded = load(collection)
    pack = pack_of(assistant.settings)
    entry = expected.entry(collection.name, pack)
    assert entry is not None, f"no entry for {collection.name} (pack {pack}): run assistant eval --update-expected"
    assert (entry.questions, entry.turns) == (len(loaded.questions), len(loaded.turns)), \
        f"the gold set of {collection.name} changed: run assistant eval --update-expected"
    outcomes = run_mode(assistant, [*loaded.questions, *loaded.turns], mode_named(DEFAULT_MODE))
    n = len(loaded.questions)
    summary = summarize(outcomes[:n], outcomes[n:], len(loaded.conversations))
    comparisons = gate.compare_entry(entry, summary, expected.tolerance)
    drops = [f"{c.name}: {c.expected:.3f} → {c.measured}" for c in comparisons if c.failed]
    assert not drops, f"retrieval quality fell below evals/expected.json (tolerance {expected.tolerance}): {drops}"


def test_quality_gate_seeds(assistant) -> None:  # type: ignore[no-untyped-def]
    [seeds] = [c for c in discover(COLLECTIONS) if c.name == "seeds"]
    _check(seeds, assistant)


@pytest.mark.slow
@pytest.mark.parametrize("name", OTHERS)
def test_quality_gate_collection(name: str, assistant, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Every other collection, on an index of its own built with the session's model."""
    from assistant.core import Assistant

    [collection] = [c for c in discover(COLLECTIONS) if c.name == name]
    settings = settings_for(collection, assistant.settings.with_(index=tmp_path_factory.mktemp(name)),
                            pack_of(assistant.settings))
    other = Assistant(settings, embedder=caching(assistant.embedder))
    other.open()
    _check(collection, other)


# ---------------------------------------------------------------------------------- the command


def test_missing_gold_file_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["eval", "--gold", tmp_path / "nope.jsonl", "--seeds", SEEDS, "--index", tmp_path]
    code, out, err = run_main(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("assistant: error: cannot read gold set")


def test_unfindable_quote_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x1", "question": "q?", "language": "en", "kind": "factual",
                                "evidence": [{"doc": "000_5cc127c3c086e338.txt", "quote": "no such words here"}]}),
                    encoding="utf-8")
    code, _, err = run_main(["eval", "--gold", gold, "--seeds", SEEDS, "--index", tmp_path], capsys)
    assert code == 2 and err.count("\n") == 1 and "not found" in err


@pytest.mark.parametrize("argv", [["--modes", "bogus"], ["--check", "--update-expected"], ["--check"],
                                  ["--pack", "sometimes"], ["--collection", "seeds"]])
def test_bad_usage(argv: list[str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(GOLD, tmp_path / "gold.jsonl")  # no expected.json beside it
    code, _, err = run_main(["eval", "--gold", tmp_path / "gold.jsonl", "--seeds", SEEDS, "--index", tmp_path, *argv],
                            capsys)
    assert code == 2 and err.count("\n") == 1 and "error" in err


def test_check_exit_codes(built_index: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """--check through the command on the real seeds index, the (fast) sparse mode standing in for the
    default one."""
    from assistant.evaluate import run

    monkeypatch.setattr(run, "DEFAULT_MODE", "sparse")
    shutil.copy(GOLD, tmp_path / "gold.jsonl")
    base = ["eval", "--gold", tmp_path / "gold.jsonl", "--seeds", SEEDS, "--index", built_index]
    code, _, _ = run_main([*base, "--update-expected"], capsys)
    assert code == 0
    path = tmp_path / "expected.json"
    expected = json.loads(path.read_text(encoding="utf-8"))
    [entry] = expected["entries"]
    assert entry["collection"] == tmp_path.name and "MRR@10" in entry["scores"]["overall"]
    assert run_main([*base, "--check"], capsys)[0] == 0
    entry["scores"]["overall"]["MRR@10"] += 0.05
    path.write_text(json.dumps(expected), encoding="utf-8")
    code, out, _ = run_main([*base, "--check"], capsys)
    assert code == 1 and "MRR@10 fell from" in out
    entry["scores"]["overall"]["MRR@10"] -= 0.5
    path.write_text(json.dumps(expected), encoding="utf-8")
    code, out, _ = run_main([*base, "--check"], capsys)
    assert code == 0 and "update-expected" in out


def test_eval_writes_reports(built_index: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """One mode over the seeds gold file on the session's index: every report file, and the seeds'
    conversations (found beside the gold file) in the TREC run."""
    argv = ["eval", "--gold", GOLD, "--modes", "sparse", "--out", tmp_path, "--seeds", SEEDS, "--index", built_index]
    code, out, _ = run_main(argv, capsys)
    assert code == 0 and "Hit@5" in out and "zh→zh" in out and "(tuned on)" in out
    for name in ("report.json", "report.md", "quality.png", "run.trec", "failures.md"):
        assert (tmp_path / name).stat().st_size > 0
    run_lines = (tmp_path / "run.trec").read_text(encoding="utf-8").splitlines()
    assert 0 < len(run_lines) <= (195 + 36) * 10 and all(line.endswith(" sparse") for line in run_lines)
    qids = {line.split()[0] for line in run_lines}
    assert len(qids) > 150 and "seeds/seeds-c01.2" in qids
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    [entry] = data["collections"]
    sentence = entry["modes"]["sparse"]["overall"]["Sentence"]
    assert 0.0 < sentence < 1.0
