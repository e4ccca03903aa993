"""The API helpers (responses checked against the OpenAPI document) for the saved search tests."""

from tests.api.conftest import api, openapi_document, token

__all__ = ["api", "openapi_document", "token"]
