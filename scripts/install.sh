#!/usr/bin/env bash
# Installs everything the app (and, with --dev, the test suite) needs into .venv. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1
python=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi

extras=""
[ $dev = 1 ] && extras="[dev]"
stamp=".venv/.installed$extras-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages"
  # The CPU build of torch first, with pip, which finds its wheel on this machine's disk: asked for
  # later by sentence-transformers, plain 'torch' would pull a CUDA build of several GB.
  .venv/bin/python -m pip install -q torch==2.13.0 uv
  # The rest with uv: it keeps the torch above (2.13.0 satisfies the requirement) and installs in a
  # fraction of pip's time (it resolves and unpacks in parallel); from a fresh clone that was 10 s of
  # CPU against pip's 57 s (docs/testing.md). --compile-bytecode, as pip does: otherwise every new
  # process (each test worker, each gunicorn worker) compiles transformers and the rest from source
  # again wherever PYTHONDONTWRITEBYTECODE is set, about 6 s of CPU per process.
  .venv/bin/uv pip install -q --python .venv/bin/python --compile-bytecode -e ".$extras"
  touch "$stamp"
fi

if [ $dev = 1 ]; then
  # Browser tests drive Debian's Chromium; CJK fonts make Chinese render in screenshots.
  if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
    echo "==> installing chromium and fonts-noto-cjk (apt)"
    if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
    $apt_get update -qq
    DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
fi
echo "==> install complete"
