#!/usr/bin/env bash
# Builds the project and runs every test under test/ with Node's own test runner, then prints one
# plain summary line, "N passed, N failed", and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

npx tsc -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under dist/test"
  echo "0 passed, 1 failed"
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
node --test --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -1)
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
