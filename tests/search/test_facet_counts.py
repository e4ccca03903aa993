"""The ranked set's facet counts, against their definition: for each facet, the values of the
candidates that pass every *other* filter (what the facet value's link would list)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from market.search.services import FILTERS, PROVIDERS, Candidate, _facet_counts, _passes

KEYS = FILTERS[PROVIDERS]
VALUES = st.lists(st.sampled_from(["a", "b", "c"]), max_size=3).map(tuple)
ATTRS = st.fixed_dictionaries({}, optional={key: VALUES for key in KEYS})
FILTER_SETS = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["a", "b", "c"]), max_size=3)


def _by_definition(candidates: list[Candidate], filters: dict[str, str]) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for key in KEYS:
        counts = facets[key] = {}
        for candidate in candidates:
            if _passes(candidate, filters, skip=key):
                for value in set(candidate.attrs.get(key, ())):
                    counts[value] = counts.get(value, 0) + 1
    return facets


@given(st.lists(ATTRS, max_size=30), FILTER_SETS)
def test_one_pass_counts_equal_the_definition(attrs: list[dict], filters: dict[str, str]) -> None:
    candidates = [Candidate(number, 1.0, values) for number, values in enumerate(attrs)]
    assert _facet_counts(PROVIDERS, candidates, filters) == _by_definition(candidates, filters)


def test_a_candidate_failing_one_filter_counts_in_that_facet_only() -> None:
    inside = Candidate(1, 1.0, {"province": ("a",), "kind": ("x",)})
    elsewhere = Candidate(2, 1.0, {"province": ("b",), "kind": ("x",)})
    counts = _facet_counts(PROVIDERS, [inside, elsewhere], {"province": "a"})
    assert counts["province"] == {"a": 1, "b": 1} and counts["kind"] == {"x": 1}
