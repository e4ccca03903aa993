"""Chinese is the source language; every marked string needs its English translation."""

from __future__ import annotations

from market.i18n_catalog import marked_strings, missing_english


def test_catalog_finds_the_interface_strings() -> None:
    strings = marked_strings()
    assert "技术需求" in strings
    assert "退回时必须填写原因。" in strings


def test_every_interface_string_has_english() -> None:
    missing = missing_english()
    assert not missing, f"{len(missing)} strings lack English (run scripts/i18n_update.py): {missing[:20]}"


def test_the_catalogue_is_a_clean_gettext_file() -> None:
    # pybabel reads it back without complaint and nothing is left marked fuzzy (fuzzy entries are not used).
    from babel.messages.pofile import read_po

    from market.i18n import CATALOGUES

    with (CATALOGUES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="en", abort_invalid=True)
    assert [m.id for m in catalogue if m.id and m.fuzzy] == []
    assert len(catalogue) > 500


def test_lazy_labels_follow_the_reader(app) -> None:  # type: ignore[no-untyped-def]
    from market.i18n import lazy_gettext

    label = lazy_gettext("技术需求")
    with app.test_request_context("/?lang=en"):
        assert str(label) == "Technical needs"
    with app.test_request_context("/"):
        assert str(label) == "技术需求"
