"""One error base for everything a person can cause or needs to hear about.

Every error the assistant raises on purpose is an :class:`AssistantError`. It carries ``title``, the one
line a person reads ("the question is empty; type a question in Chinese or English"), and
``exit_code``, what the command line exits with: 2 for bad input (usage, question, settings, documents,
glossary, gold set), 1 for a problem of the index, the model or the machine. Each face prints
``error.title`` and exits with ``error.exit_code``; nothing maps classes to messages (harlequin's
``HarlequinError`` is the model). Anything else that escapes is a bug and keeps its traceback.

Errors of the machine (a full disk, a quota, a read-only folder, a lost mount) are turned into a
:class:`StorageError` by :func:`storage_error`, which names the folder and the space it needed.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import ClassVar

EXIT_FAILURE = 1
EXIT_USAGE = 2


class AssistantError(Exception):
    """Base of every error meant for people. ``title`` is one line; ``exit_code`` is the CLI's exit code."""

    exit_code: ClassVar[int] = EXIT_FAILURE
    heading: ClassVar[str] = "Something went wrong"
    """A few words naming the kind of problem, for the heading of the chat's error card."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.title = title


class UsageError(AssistantError):
    """Bad usage or bad input (a flag, an argument): exit code 2."""

    exit_code = EXIT_USAGE
    heading = "Cannot do that"


class QuestionError(UsageError):
    """The question cannot be searched (empty, or nothing but punctuation)."""

    heading = "Cannot search that"


class SettingsError(UsageError):
    """A setting has a value the assistant cannot use."""

    heading = "Settings problem"


class SeedsError(UsageError):
    """The documents folder is missing or holds no documents, or a document cannot be read."""

    heading = "No documents to search"


class GlossaryError(UsageError):
    """The user glossary cannot be read."""

    heading = "Glossary problem"


class GoldError(UsageError):
    """A gold set is malformed, or a quote cannot be found in its document."""

    heading = "Gold set problem"


class EmbedderError(AssistantError):
    """The embedding model cannot be loaded."""

    heading = "Model problem"


class IndexProblem(AssistantError):
    """The index cannot be used as it is (missing, stale format, corrupted); a rebuild fixes it."""

    heading = "Index problem"


class LockTimeout(AssistantError):
    """Another process holds the build lock for too long."""

    heading = "Index problem"


class StorageError(AssistantError):
    """The machine refused to store something: a full disk, a quota, a read-only folder, a lost mount."""

    heading = "Cannot store the index"


_STORAGE_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is on a read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "the disk reported an input/output error",
    errno.ENOTCONN: "the folder's file system is no longer mounted",
    errno.ESTALE: "the folder's file system is no longer reachable (stale handle)",
    errno.ENODEV: "the folder's device is gone",
    errno.ENOENT: "the folder cannot be made there, or it disappeared while the index was written",
}


def storage_error(exc: OSError, folder: Path, needed_bytes: int | None = None) -> StorageError:
    """A one-line :class:`StorageError` for an ``OSError`` raised while writing into ``folder``.

    ``needed_bytes`` is what the write needed in all (an estimate made before writing); the message gives
    it with the space that was free, e.g. "cannot write the index in /x/index: the disk is full (it needs
    about 3.1 MB; 0.2 MB free)".
    """
    why = _STORAGE_REASONS.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)
    message = f"cannot write the index in {folder}: {why}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) and needed_bytes:
        free = free_bytes(folder)
        room = f"; {_mb(free)} free" if free is not None else ""
        message += f" (it needs about {_mb(max(needed_bytes, 100_000))}{room})"  # never "about 0.0 MB"
    return StorageError(message)


def free_bytes(folder: Path) -> int | None:
    """Free bytes on the file system holding ``folder`` (or its nearest existing parent)."""
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


STORAGE_ERRNOS = frozenset(_STORAGE_REASONS)
"""errno values :func:`storage_error` explains (anything else stays a bug with its traceback)."""
