"""JSON output: strict, one object per line when asked."""

from __future__ import annotations

import json
import math


def json_text(obj: object, indent: int | None = None) -> str:
    """Strict JSON: a NaN or infinite score (e.g. from a bad glossary weight) becomes null rather than
    the bare ``NaN`` that Python writes and other JSON readers reject."""
    try:
        return json.dumps(obj, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def _finite(obj: object) -> object:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def json_line(obj: object) -> str:
    """One JSON object on one line. U+2028/U+2029 are escaped too: JSON allows them raw, but readers
    that split with ``str.splitlines()`` would see a line break."""
    return json_text(obj).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
