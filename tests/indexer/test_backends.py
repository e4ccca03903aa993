from __future__ import annotations

from tests.indexer.backend_suite import BackendContract


class TestBackendContract(BackendContract):
    """Runs the shared suite for every backend in conftest's `make_backend` params."""
