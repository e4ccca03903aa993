"""Chinese is the source language; every marked string needs its English translation."""

from __future__ import annotations

from market.i18n_catalog import marked_strings, missing_english


def test_catalog_finds_the_interface_strings() -> None:
    strings = marked_strings()
    assert "技术需求" in strings
    assert "退回时必须填写原因。" in strings


def test_every_interface_string_has_english() -> None:
    missing = missing_english()
    assert not missing, f"{len(missing)} strings lack English in market/translations/en.json: {missing[:20]}"
