#!/usr/bin/env bash
# Sets up everything the toolbox needs on a Debian machine, then serves the site or runs the tests.
#   scripts/bootstrap.sh serve   – set up and serve the site on http://127.0.0.1:5000 (embedded store)
#   scripts/bootstrap.sh test    – set up and run the whole test suite (ruff + pytest, browser tests included)
#   scripts/bootstrap.sh setup   – only set up
# Idempotent: what is already there is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-serve}
shift || true

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Installeer eerst: ${missing[*]} (root nodig)" >&2; exit 1; }
    sudo="sudo"
  fi
  say "Systeempakketten installeren: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

system_packages() {
  local pkgs=()
  command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
  python3 -c "import venv, ensurepip" >/dev/null 2>&1 || pkgs+=(python3-venv)
  command -v java >/dev/null 2>&1 || pkgs+=(default-jre-headless)   # HermiT reasoner (owlready2)
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)              # NL Design System assets
  if [ "$MODE" = "test" ]; then
    [ -x /usr/bin/chromium ] || pkgs+=(chromium)                    # browser tests
    command -v virtuoso-t >/dev/null 2>&1 || pkgs+=(virtuoso-opensource-7)  # second external store (tests/webapp/sparql/test_engines.py)
  fi
  if [ ${#pkgs[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then apt_install "${pkgs[@]}"; else
      echo "Ontbrekende systeempakketten: ${pkgs[*]}" >&2; exit 1; fi
  fi
}

python_env() {
  if [ ! -x .venv/bin/python ]; then
    say "Virtuele omgeving maken in .venv/"
    python3 -m venv .venv
  fi
  local stamp=.venv/.installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! .venv/bin/python -c "import toolbox, webapp" 2>/dev/null; then
    say "Python-pakketten installeren"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
}

assets() {
  if [ ! -f node_modules/@utrecht/design-tokens/dist/index.css ] || [ ! -f node_modules/@utrecht/link-css/dist/index.css ] \
     || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -x node_modules/.bin/lighthouse ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "NL Design System-bestanden installeren (npm)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

system_packages
python_env
assets

case "$MODE" in
  setup) say "Klaar." ;;
  serve)
    say "Graaf en zoekindex bouwen (alleen als de inhoud veranderde)"
    .venv/bin/toolbox build
    exec .venv/bin/toolbox serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" "$@" ;;
  test)
    say "ruff"
    .venv/bin/ruff check toolbox webapp tests bench
    say "pytest"
    exec .venv/bin/python -m pytest "$@" ;;
  *) echo "Gebruik: scripts/bootstrap.sh serve|test|setup" >&2; exit 2 ;;
esac
