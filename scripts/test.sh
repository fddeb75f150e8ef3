#!/usr/bin/env bash
# Installs everything the tests need, then runs every check CI runs:
# Rust format/lint/tests, Python lint/types/stubs, the docs site's strict build,
# pytest with coverage (the docs' code blocks included), and
# the benchmarks with their ratio gates. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

step() { printf '\n=== %s\n' "$*"; }

step "install (builds the Rust extension with maturin; torch comes with the sb3 extra, once per machine)"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[dev,sb3,bench,cli,hydra,viz,record,datasets,compat,web,mlflow,docs,calibrate,calibrate-xes]"

step "install Chromium (Debian) and the front end's npm packages, for the dashboard tests"
command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }
(cd web && npm ci --no-audit --no-fund --loglevel=error)

step "cargo fmt";    cargo fmt --all -- --check
step "cargo clippy"; cargo clippy --workspace --all-targets -- -D warnings
# The binding crate links against Python only when loaded by Python, so its
# behaviour is tested through pytest; the core crate has the Rust unit tests.
step "cargo test";   cargo test -p ferrogym-core

step "ruff";         "$PY" -m ruff check python tests benches examples
"$PY" -m ruff format --check python tests benches examples
step "mypy --strict"; "$PY" -m mypy
step "stubtest";     "$PY" -m mypy.stubtest ferrogym._core

step "docs: the site builds with zero warnings (broken links and anchors included)"
DOCS_SITE=$(mktemp -d)
NO_MKDOCS_2_WARNING=1 "$PY" -m mkdocs build --strict --site-dir "$DOCS_SITE"
rm -rf "$DOCS_SITE"

step "pytest (coverage of python/ must stay >= 90%; tests/docs runs every tutorial and how-to page)"
"$PY" -m pytest tests --cov=ferrogym --cov-report=term --cov-fail-under=90

step "front end: Vitest unit tests"
(cd web && npx vitest run)
step "dashboard end to end in real Chromium (ferrogym serve on a loopback port)"
(cd web && FERROGYM="$PY -m ferrogym.cli" node e2e/run.mjs)

step "benchmarks beside their peers (fails when a ratio drops below its floor)"
"$PY" -m pytest benches -p no:cacheprovider --benchmark-columns=median,ops --benchmark-min-rounds=5 --benchmark-max-time=1.0
cat bench-results/ratios.json
