"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables or flags."""

import os

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# Loading the app (and so the encoder) once in the master lets workers share its memory pages.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
