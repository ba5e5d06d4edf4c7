"""Ingest: read, decode, normalize, find the structure of, and chunk the documents.

``files`` finds and reads them (``decode`` picks the encoding of text files; ``extract`` reads PDF
(``pdf``, ``ocr``), Word (``word``) and HTML (``web``) files), ``lines`` and ``normalize`` repair the
text while keeping a map back to every original offset, ``structure`` and ``sections`` find headings
and the section of every paragraph, and ``chunk`` cuts sections into passages.
"""

from __future__ import annotations

from .files import SUFFIXES, Corpus, find_files, format_of, load_corpus, read_document, read_original, read_source

__all__ = ["SUFFIXES", "Corpus", "find_files", "format_of", "load_corpus", "read_document", "read_original",
           "read_source"]
