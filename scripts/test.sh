#!/usr/bin/env bash
# Builds the project and runs its tests with Node's built-in test runner, then prints one plain
# summary line, "N passed, N failed", and exits non-zero if anything failed.
#
#   scripts/test.sh            every layer
#   scripts/test.sh unit       test/ without test/e2e: no servers needed
#   scripts/test.sh e2e        test/e2e against real servers (installed and cached first)
set -uo pipefail
cd "$(dirname "$0")/.."

layers=("$@")
[ "${#layers[@]}" -eq 0 ] && layers=(unit)

npx tsc -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

files=()
for layer in "${layers[@]}"; do
  case "$layer" in
    unit) mapfile -t -O "${#files[@]}" files < <(find dist/test -name '*.test.js' -not -path 'dist/test/e2e/*' | sort) ;;
    e2e) mapfile -t -O "${#files[@]}" files < <(find dist/test/e2e -name '*.test.js' | sort) ;;
    *) echo "unknown test layer: $layer (use unit or e2e)"; echo "0 passed, 1 failed"; exit 2 ;;
  esac
done
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found for: ${layers[*]}"
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
