"""The interface every search backend implements (embedded files, Elasticsearch)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Protocol, runtime_checkable

from indexer.documents import Document, Hit, Query
from indexer.fusion import FusionConfig

# Called with the number of documents just processed (an increment, like tqdm's update()).
Progress = Callable[[int], None]


class EncoderMismatch(RuntimeError):
    """The index holds vectors of another encoder; it must be rebuilt before it can be searched."""

    def __init__(self, stored: str, stored_dim: int, current: str, current_dim: int) -> None:
        super().__init__(
            f"index was built with encoder {stored!r} (dim {stored_dim}) but the configured encoder is "
            f"{current!r} (dim {current_dim}); rebuild the index with the configured encoder"
        )
        self.stored = stored
        self.stored_dim = stored_dim
        self.current = current
        self.current_dim = current_dim


class IndexUnavailable(RuntimeError):
    """The index's files are missing or damaged; searches fail until it is rebuilt (`market reindex`)."""

    def __init__(self, path: object, cause: BaseException) -> None:
        super().__init__(f"search index at {path} is missing or damaged ({cause}); rebuild it")
        self.path = path


@runtime_checkable
class SearchBackend(Protocol):
    def upsert(self, docs: Iterable[Document], progress: Progress | None = None) -> None: ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def search(self, query: Query, k: int = 20, fusion: FusionConfig | None = None) -> list[Hit]: ...

    def count(self) -> int: ...

    def rebuild(
        self,
        docs: Iterable[Document],
        total: int | None = None,
        progress: Progress | None = None,
        pool: Executor | None = None,
    ) -> None:
        """Replace the whole content with `docs` (documents not in `docs` disappear); with a process
        `pool`, the documents' text analysis (jieba) runs there."""
        ...

    def ids(self) -> set[str]: ...

    def close(self) -> None: ...
