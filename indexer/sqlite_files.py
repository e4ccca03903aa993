"""A thread's connection to a SQLite file of derived data (vector caches, the suggestion vocabulary).

Shared by processes on a host: each thread of each process holds its own connection, opened again
after a fork or when the file was replaced (another process rebuilt it). The files only hold what can
be derived again, so one that is not a database is deleted and started empty.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

log = logging.getLogger(__name__)


def inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


class ThreadConnections:
    """`get()` gives this thread's connection to `path`, made by `open_`; `what` names the file in logs.

    With `per_thread=False` every thread of a process gets the same connection (the caller serialises
    its use): two file descriptors per process instead of per thread, for files used briefly."""

    def __init__(
        self, path: Path, open_: Callable[[], sqlite3.Connection], what: str, *, per_thread: bool = True
    ) -> None:
        self.path = path
        self._open = open_
        self._what = what
        self._local: Any = threading.local() if per_thread else SimpleNamespace()

    def get(self) -> sqlite3.Connection:
        held = getattr(self._local, "held", None)
        current = inode(self.path)
        if held is not None and held[0] == os.getpid() and held[1] == current and current is not None:
            return held[2]  # type: ignore[no-any-return]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = self._open()
        except sqlite3.OperationalError:  # busy, read-only, ...: the caller decides (encode, skip)
            raise
        except sqlite3.DatabaseError as error:  # not a database: derived data, start it again
            log.warning("%s %s is damaged (%s); starting an empty one", self._what, self.path, error)
            for damaged in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))):
                damaged.unlink(missing_ok=True)
            connection = self._open()
        self._local.held = (os.getpid(), inode(self.path), connection)
        return connection

    def close(self) -> None:
        """Close this thread's connection (one inherited through a fork is left to its owner)."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            held[2].close()
        self._local.held = None
