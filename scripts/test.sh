#!/usr/bin/env bash
# Builds the project and runs its tests with Node's built-in test runner, then prints one plain
# summary line, "N passed, N failed", and exits non-zero if anything failed.
#
#   scripts/test.sh            every layer: check, unit, node22, node24, e2e
#   scripts/test.sh check      the formatter and linter (Biome) and the import-cycle check
#   scripts/test.sh unit       test/ without test/e2e: no servers needed
#   scripts/test.sh node22     the unit layer again on Node 22 LTS (installed once into .cache/)
#   scripts/test.sh node24     the unit layer again on Node 24 LTS, what production runs on
#   scripts/test.sh e2e        test/e2e against real servers (installed and cached first)
set -uo pipefail
cd "$(dirname "$0")/.."

layers=("$@")
[ "${#layers[@]}" -eq 0 ] && layers=(check unit node22 node24 e2e)

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
# A clean build: a test file renamed or removed must not linger in dist/ and still run.
rm -rf dist
npx tsc -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

unit_files() { find dist/test -name '*.test.js' -not -path 'dist/test/e2e/*' | sort; }
e2e_files() { find dist/test/e2e -name '*.test.js' 2>/dev/null | sort; }

total_passed=0
total_failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs test files with the given node binary, at most LIMIT seconds (a run that hangs, a process
# that never exits, fails then instead of holding CI), and adds its counts to the totals; they
# are left in run_passed and run_failed.
run_tests() {
  local limit=$1 node_bin=$2
  shift 2
  timeout --kill-after=10 "$limit" "$node_bin" --test --test-reporter=spec "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then echo "did not finish within $((limit / 60)) minutes: $*"; fi
  run_passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  run_failed=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  run_passed=${run_passed:-0}
  run_failed=${run_failed:-0}
  if [ "$status" -ne 0 ] && [ "$run_failed" -eq 0 ]; then run_failed=1; fi
  if [ "$run_passed" -eq 0 ] && [ "$run_failed" -eq 0 ]; then run_failed=1; fi
  total_passed=$((total_passed + run_passed))
  total_failed=$((total_failed + run_failed))
}

no_files() {
  echo "no test files found for layer $1"
  total_failed=$((total_failed + 1))
}

# A unit layer: its files with the given node binary, in one run of at most 30 minutes.
run_layer() {
  local name=$1 node_bin=$2
  shift 2
  if [ "$#" -eq 0 ]; then no_files "$name" && return; fi
  echo "=== $name: $("$node_bin" --version), $# test files"
  run_tests 1800 "$node_bin" "$@"
}

# The e2e layer: one file at a time, each with a time limit of its own, so a file that hangs fails
# alone and the files after it still run; the layer as a whole stops starting files after
# E2E_LAYER_MINUTES. Ends with the slowest files, to show where the layer's time goes.
FILE_LIMIT_SECONDS=600
E2E_LAYER_MINUTES=${E2E_LAYER_MINUTES:-55}
run_files_in_turn() {
  local name=$1
  shift
  if [ "$#" -eq 0 ]; then no_files "$name" && return; fi
  echo "=== $name: $(node --version), $# test files, one at a time"
  local deadline=$((SECONDS + E2E_LAYER_MINUTES * 60)) times file started
  times=$(mktemp)
  for file in "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "not run (the layer's ${E2E_LAYER_MINUTES} minutes are over): $file"
      total_failed=$((total_failed + 1))
      continue
    fi
    started=$SECONDS
    run_tests "$FILE_LIMIT_SECONDS" node "$file"
    echo "$((SECONDS - started)) s  ${file#dist/test/}  ($run_passed passed, $run_failed failed)" >>"$times"
  done
  echo "=== $name: the slowest files"
  sort -rn "$times" | head -12
  rm -f "$times"
}

# A check counts as one test: passed when its command exits 0.
run_check() {
  local name=$1
  shift
  echo "=== check: $name"
  if "$@"; then
    total_passed=$((total_passed + 1))
  else
    echo "check failed: $name"
    total_failed=$((total_failed + 1))
  fi
}

for layer in "${layers[@]}"; do
  case "$layer" in
    check)
      # Formatting and lint findings (warnings too) fail; `npx biome check --write .` fixes most.
      run_check "format and lint (biome ci)" npx biome ci --error-on-warnings --max-diagnostics=50 .
      run_check "import cycles" node scripts/check-import-cycles.mjs dist/src ;;
    unit) mapfile -t files < <(unit_files); run_layer unit node "${files[@]}" ;;
    node22 | node24)
      if lts=$(bash scripts/node-lts.sh "${layer#node}"); then
        mapfile -t files < <(unit_files); run_layer "$layer" "$lts" "${files[@]}"
      else
        echo "could not install Node ${layer#node}"; total_failed=$((total_failed + 1))
      fi ;;
    e2e)
      # Builds (once per machine, cached in .cache/) the real servers the e2e tests run against.
      if bash test/env/install-kube.sh && bash test/env/install-node.sh && bash test/env/install-tools.sh && bash test/env/install-github-openapi.sh && bash test/env/install-chromium.sh; then
        mapfile -t files < <(e2e_files); run_files_in_turn e2e "${files[@]}"
      else
        echo "could not install the test environment"; total_failed=$((total_failed + 1))
      fi ;;
    *) echo "unknown test layer: $layer (use check, unit, node22, node24 or e2e)"; echo "0 passed, 1 failed"; exit 2 ;;
  esac
done

echo "${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ]
