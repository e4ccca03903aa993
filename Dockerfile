# 科创对接 application image: gunicorn serving market.wsgi:app. Built by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    KECHUANG_INSTANCE=/data HF_HUB_OFFLINE=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libgomp1 curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY market ./market
COPY indexer ./indexer
# CPU build of torch first (sentence-transformers would otherwise pull a CUDA build).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install .
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations

RUN useradd --create-home --uid 1000 kechuang && mkdir -p /data && chown kechuang /data
USER kechuang
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["sh", "-c", "market init-db && exec gunicorn --bind 0.0.0.0:8000 --workers ${WORKERS:-4} --config python:market.gunicorn_conf market.wsgi:app"]
