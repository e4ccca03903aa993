"""Concurrent identical computations run once; errors reach every waiter; keys stay separate."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.singleflight import SingleFlight


def _together(n: int, call) -> list:  # type: ignore[no-untyped-def]
    """Run `call` in n threads that start at the same moment."""
    start = threading.Barrier(n)

    def go() -> object:
        start.wait()
        return call()

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(go) for _ in range(n)]
        return [future.result() if future.exception() is None else future.exception() for future in futures]


def test_concurrent_calls_for_one_key_compute_once() -> None:
    flight: SingleFlight[str, list[int]] = SingleFlight()
    calls = []

    def compute() -> list[int]:
        calls.append(1)
        time.sleep(0.2)  # long enough that every thread arrives while it runs
        return [1, 2, 3]

    results = _together(8, lambda: flight.run("need-1", compute))
    assert len(calls) == 1
    assert all(result == [1, 2, 3] for result in results)
    assert flight.run("need-1", compute) == [1, 2, 3] and len(calls) == 2  # finished calls are forgotten


def test_an_error_reaches_every_waiter_and_is_not_remembered() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    calls = []

    def broken() -> int:
        calls.append(1)
        time.sleep(0.2)
        raise OSError("index damaged")

    results = _together(5, lambda: flight.run("k", broken))
    assert len(calls) == 1
    assert all(isinstance(result, OSError) for result in results)
    assert flight.run("k", lambda: 7) == 7


def test_different_keys_do_not_wait_for_each_other() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    release = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(flight.run, "slow", lambda: release.wait(5) and "slow")
        assert flight.run("fast", lambda: "fast") == "fast"  # answered while "slow" still runs
        assert not slow.done()
        release.set()
        assert slow.result() == "slow"


@pytest.mark.parametrize("n", [1, 2])
def test_single_caller_just_computes(n: int) -> None:
    flight: SingleFlight[int, int] = SingleFlight()
    assert [flight.run(i, lambda i=i: i * 10) for i in range(n)] == [i * 10 for i in range(n)]
