# Sourced by scripts/demo and scripts/test: make .venv with Python 3.11+
# and install Redress into it. Installs Debian's python3-venv when a fresh
# Debian lacks it (needs root or sudo).
set -euo pipefail

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "Redress needs Python 3.11 or newer; $("$PYTHON" --version 2>&1) found. Set PYTHON=python3.11." >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "Need root to run: $*" >&2; return 1
  fi
}

apt_install() {
  # Install Debian packages by name, once per run.
  if [ -z "${APT_UPDATED:-}" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "Installing python3-venv from Debian..."
    apt_install python3-venv
    "$PYTHON" -m venv .venv
  fi
fi

install_redress() {
  # Install Redress (and any extras, e.g. "[test]") into .venv, editable.
  # "compat" puts plugins/ itself on the path, so Pelican's plugin namespace
  # (pelican.plugins.*) finds the working copy by the name "redress"; the
  # default editable mode hides it from Pelican's plugin discovery.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --config-settings editable_mode=compat -e ".$1"
}
