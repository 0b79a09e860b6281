#!/usr/bin/env bash
# Runs the README's local commands as a user would, against a fresh clone: `npm start` in the background until
# GET /api/health answers 200, a sample export and a migration through the CLI against it, `npm run demo` reusing
# the running stack, then Ctrl+C (SIGINT) and `npm run reset`, and a small `npm run bench`. Exits non-zero on
# the first command that fails, with the host's log.
set -euo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp -d)/start.log
url=http://127.0.0.1:7071

setsid npm start >"$log" 2>&1 &
start_pid=$!
stop_start() {
  if kill -0 "$start_pid" 2>/dev/null; then
    kill -INT -- "-$start_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$start_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$start_pid" 2>/dev/null || true
  fi
}
trap 'stop_start; echo "--- npm start output ---"; tail -n 40 "$log"' ERR
trap stop_start EXIT

echo "npm start: waiting for $url/api/health"
for i in $(seq 1 180); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/health" || true)
  [ "$code" = 200 ] && { echo "npm start: health 200 after ${i}s"; break; }
  kill -0 "$start_pid" 2>/dev/null || { echo "npm start exited"; exit 1; }
  sleep 1
done
[ "$code" = 200 ] || { echo "npm start: no healthy answer within 180 s (last status $code)"; exit 1; }

sample=$(npm run -s sample -- --items 3000 --files 3)
echo "$sample"
prefix=$(printf '%s\n' "$sample" | sed -n 's/.*--export-prefix \([^ ]*\).*/\1/p')
npx --no-install ddb2cosmos start --bucket sample-exports --export-prefix "$prefix" \
  --partition-key pk --sort-key sk --database smoke --container orders
npx --no-install ddb2cosmos table list >/dev/null

npm run -s demo -- --items 5000 --files 4 --keep

stop_start
trap - ERR
echo "npm start: stopped by SIGINT"
grep -q 'Local stack stopped' "$log" || { echo "npm start did not report a clean stop"; tail -n 20 "$log"; exit 1; }

npm run -s reset
# Every part of the bench at a size that proves it runs, not at the size its figures are quoted from.
BENCH_REPS=1 BENCH_CPU_ITEMS=2000 BENCH_LARGE_MB=4 BENCH_E2E_ITEMS=2000 BENCH_E2E_REPS=1 BENCH_SCALE_FILES=10 \
  BENCH_HISTORY_FILES=200 BENCH_HISTORY_POLLS=20 BENCH_THROUGHPUT_SECONDS=5 BENCH_THROUGHPUT_CAPS=2000 \
  BENCH_INSTANCE_ITEMS=2000 BENCH_INSTANCE_COUNTS=1,2 BENCH_COPY_MB=4 BENCH_COPY_COUNTS=1 BENCH_RESUME_MB=8 \
  npm run -s bench >"$log.bench" 2>&1 || { tail -n 40 "$log.bench"; exit 1; }
tail -n 15 "$log.bench"
# The full verification at scale (bench/verify-scale.ts) at a size that proves it runs: a table synced through the
# app, verified, the host killed with SIGKILL during the verification and started again; it must pass with every item.
BENCH_VERIFY_ITEMS=4000 BENCH_VERIFY_FILES=40 BENCH_VERIFY_KILL=1 node dist/bench/verify-scale.js >"$log.verify" 2>&1 ||
  { tail -n 60 "$log.verify"; exit 1; }
grep -E 'kill -9|"(documentsPerSecond|requestCharge|hostPeakRssMB|passed)"' "$log.verify"
echo "README commands: all ran"
