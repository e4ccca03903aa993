"""The API helpers (responses checked against the OpenAPI document) for the saved search tests."""

from tests.api.conftest import _fast_password_hashing, api, openapi_document, token

__all__ = ["_fast_password_hashing", "api", "openapi_document", "token"]
