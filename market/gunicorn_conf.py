"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables or flags."""

import gc
import logging
from typing import Any

from gunicorn import glogging

from market.config import Settings
from market.logs import JsonFormatter

# Read like the app's own settings (market/config.py): a bad value stops gunicorn with its name.
_settings = Settings.from_env()
timeout = _settings.gunicorn_timeout
graceful_timeout = 20
# Loading the app (and so the encoder) once in the master lets workers share its memory pages.
preload_app = _settings.gunicorn_preload
# gunicorn >= 25 opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl): every
# instance on a host (workers of other sites, the test harness's servers) would take it from the one
# before. Nothing here uses gunicornc (docs/configuration.md says how to turn it on for one instance).
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = _settings.gunicorn_loglevel


class JsonLogger(glogging.Logger):
    """LOG_FORMAT=json: gunicorn's error and access lines are JSON objects like the app's own lines.

    Only what identifies the request is logged: never cookies or the Authorization header.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in (*self.error_log.handlers, *self.access_log.handlers):
            handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "address": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or "",
            "status": int(atoms["s"]) if str(atoms["s"]).isdecimal() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o"),
        }
        message = f"{fields['method']} {fields['path']} {fields['status']}"
        self.access_log.log(logging.INFO, message, extra={"fields": fields})


if _settings.log_format == "json":
    logger_class = JsonLogger
# Threaded workers: a connection that is open but idle (a browser's preconnect, a user between
# clicks on a keep-alive connection) must not hold a whole sync worker: with sync workers, 50 users
# with think time measured p50 ~600 ms on idle CPUs. gunicorn >= 24 hands each accepted connection
# to a thread that waits up to 5 s for its request, so workers x threads must exceed the number of
# open connections, however unevenly the kernel spreads them over workers (docs/performance.md).
worker_class = _settings.gunicorn_worker_class
threads = _settings.gunicorn_threads
keepalive = _settings.gunicorn_keepalive


def when_ready(server):  # type: ignore[no-untyped-def]
    """Compile the dense-search kernels once in the master, before the workers are forked, so the
    workers share its pages: with each worker compiling its own, PSS per worker was 208-216 MB
    against 174-184 MB (2 workers on the demo, docs/scale-out.md)."""
    from indexer.backends import kernels

    kernels.compile_now()


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Each worker loads the encoder, jieba, the indexes, the suggestion vocabulary and the templates
    before it takes its first request (a cold first match page made every request queued behind it
    wait ~0.5 s; a vocabulary built in the first search requests held them for seconds).

    The database is optional here: an exception out of this hook is a boot error, and gunicorn's
    master answers a boot error by stopping the whole server. A connection lost during the warm-up
    (a database restart; under a fault test it raised from the session's rollback at the end of the
    context) then took the site down for good instead of answering 503 until the database is back."""
    from sqlalchemy.exc import SQLAlchemyError

    app = worker.wsgi
    try:
        with app.app_context():
            _warm_up(app)
    except SQLAlchemyError as error:
        logging.getLogger("gunicorn.error").warning(
            "warm-up: database lost, the first requests finish it: %s", str(error).splitlines()[0]
        )
    quiet_collector()


# Full collections of the cyclic garbage collector paused a request for 200-390 ms at 100,000
# providers: a worker tracks ~270,000 objects (modules, the encoder, cached ranked hits), and a full
# collection ran 17 times in 1,100 requests, the p99 of every page pass (docs/search.md). Freezing
# what the warm-up loaded keeps it out of every later collection, and a tenfold third threshold makes
# full collections rarer (3 instead of 17). A search page makes ~11,000 container objects that die
# with the request; at the default first threshold (700) young collections ran mid-request and
# walked them while still alive: 5,000 halved the time in collections per new page (2.3-2.4 ->
# 1.1-1.5 ms, benchmarks/search_worker_cost.py --thresholds, docs/search.md).
GC_THRESHOLDS = (5000, 10, 100)


def quiet_collector() -> None:
    """After a worker's warm-up (benchmarks set themselves up as a worker with it too)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _warm_up(app: Any) -> None:
    from market.matching import engine
    from market.suggest import services as suggestions
    from market.templating import compile_templates

    engine.warm_up()
    suggestions.warm_up()
    compile_templates(app)
