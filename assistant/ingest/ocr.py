"""OCR: text lines recognised in a page image, with RapidOCR (PP-OCRv4 Chinese+English, ONNX Runtime).

The three ONNX models (detection, direction classification, recognition) ship inside the
``rapidocr-onnxruntime`` wheel: nothing is downloaded. One engine is made per process, on first use
(about 0.6 s and 110 MB).
"""

from __future__ import annotations

import os
import threading
from typing import Any

_ENGINE: Any = None
_LOCK = threading.Lock()


def engine() -> Any:
    """The process's RapidOCR engine (made on first use).

    The 0/180-degree line classifier is off: PDFium already applies ``/Rotate`` when rendering, and on
    clean long lines the classifier misfires, flipping them so that recognition returns nothing.
    """
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            threads = max(1, min(4, os.cpu_count() or 1))
            _ENGINE = RapidOCR(use_cls=False, intra_op_num_threads=threads, inter_op_num_threads=1)
        return _ENGINE


def recognise(image: Any) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The text lines in an image, each with its box.

    ``image`` is a ``uint8`` array of shape ``(H, W)`` (grey) or ``(H, W, 3)``. Returns ``(text, (x0, y0,
    x1, y1))`` per line, the box in pixels with y measured *up* from the bottom edge (as PDF points are),
    so that the page layout code orders OCR lines like text-layer lines.
    """
    import numpy as np

    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    result, _elapsed = engine()(np.ascontiguousarray(image), use_cls=False)
    height = image.shape[0]
    out: list[tuple[str, tuple[float, float, float, float]]] = []
    for box, text, _score in result or []:
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        text = str(text).strip()
        if text:
            out.append((text, (min(xs), height - max(ys), max(xs), height - min(ys))))
    return out
