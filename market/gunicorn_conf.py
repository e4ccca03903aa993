"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables or flags."""

import os

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# Loading the app (and so the encoder) once in the master lets workers share its memory pages.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Threaded workers: a connection that is open but idle (a browser's preconnect, a user between
# clicks on a keep-alive connection) must not hold a whole sync worker: with sync workers, 50 users
# with think time measured p50 ~600 ms on idle CPUs. gunicorn >= 24 hands each accepted connection
# to a thread that waits up to 5 s for its request, so workers x threads must exceed the number of
# open connections, however unevenly the kernel spreads them over workers (docs/performance.md).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "64"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Each worker loads the encoder, jieba, the indexes and the templates before it takes its first
    request (a cold first match page made every request queued behind it wait ~0.5 s)."""
    app = worker.wsgi
    with app.app_context():
        from market.matching import engine
        from market.templating import compile_templates

        engine.warm_up()
        compile_templates(app)
