"""A fresh gunicorn worker loads everything a match page needs before its first request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from market import gunicorn_conf

# Run in a fresh interpreter: in the test process jieba and the templates are long loaded.
WORKER = """
import gc, json, types
from market import create_app
from indexer import analysis
from market import gunicorn_conf

app = create_app()
before = analysis.dictionary_loaded(), len(app.jinja_env.cache or {})
gc_before = gc.get_freeze_count(), gc.get_threshold()
gunicorn_conf.post_worker_init(types.SimpleNamespace(wsgi=app))
after = analysis.dictionary_loaded(), len(app.jinja_env.cache or {})
print(json.dumps({"before": before, "after": after,
                  "templates": len(app.jinja_env.list_templates(extensions=["html"])),
                  "gc_before": gc_before, "gc_after": (gc.get_freeze_count(), gc.get_threshold())}))
"""


@pytest.mark.slow
def test_post_worker_init_loads_dictionary_and_templates(tmp_path: Path) -> None:
    env = {**os.environ, "KECHUANG_INSTANCE": str(tmp_path / "instance"), "HF_HUB_OFFLINE": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, timeout=180, check=True
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["before"] == [False, 0]
    loaded, compiled = state["after"]
    assert loaded, "jieba's dictionary was left for the first request to load"
    assert compiled >= state["templates"] > 40
    # What the warm-up loaded is frozen out of later collections, and full collections are rarer.
    assert state["gc_before"][0] == 0 and state["gc_after"][0] > 10_000
    assert state["gc_after"][1] == list(gunicorn_conf.GC_THRESHOLDS) != state["gc_before"][1]


MASTER = """
import json
from indexer.backends import kernels
from market import gunicorn_conf

dispatchers = (kernels._hamming, kernels._int8_cosines, kernels._float16_cosines, kernels._rows_within,
               kernels._best_per_owner)
before = [len(d.overloads) for d in dispatchers]
gunicorn_conf.when_ready(None)
print(json.dumps({"before": before, "after": [len(d.overloads) for d in dispatchers]}))
"""


def test_the_master_compiles_the_search_kernels_before_forking_workers(tmp_path: Path) -> None:
    """Forked workers then share the compiled code instead of each holding its own (docs/scale-out.md)."""
    env = {**os.environ, "KECHUANG_INSTANCE": str(tmp_path / "instance"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", MASTER], env=env, capture_output=True, text=True, timeout=180, check=True
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["before"] == [0, 0, 0, 0, 0]
    assert all(count >= 1 for count in state["after"]), state
