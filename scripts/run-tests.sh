#!/usr/bin/env bash
# Runs the test suite. DuckDB's Python bindings print a "nanobind: leaked …" report at
# interpreter exit for connections still referenced then (harmless); it would bury
# pytest's summary line, so it is filtered out here. pytest's exit code is kept.
set -uo pipefail
PY="${PY:-.venv/bin/python}"
"$PY" -m pytest "$@" 2>&1 | grep --line-buffered -v -E '^(nanobind: |See https://nanobind\.| - leaked | - \.\.\. skipped remainder)'
exit "${PIPESTATUS[0]}"
