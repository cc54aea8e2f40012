#!/usr/bin/env bash
# Benchmark of the single-hash match endpoint (docs/performance-server.md): loads N random PDQ
# hashes (bench/bank/gen_hash_list.py) into a fresh SQLite bank, starts `vigil serve` on
# loopback, and runs wrk against GET /m/lookup with random and with matching queries.
# Usage: bench/server/run.sh [ROWS] [THREADS] [CONNECTIONS] [DURATION]
# VIGIL_BIN (default build/vigil) picks the binary, e.g. a baseline build for a comparison in
# the same session; BENCH_PORT (default 18090) the port.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1120000}        # 90% PDQ: 1,008,000 PDQ hashes and 112,000 MD5
THREADS=${2:-8}           # server worker threads (>= connections: cpp-httplib gives each open connection a worker)
CONNS=${3:-8}             # wrk connections
DURATION=${4:-30s}
WORK=${BENCH_DIR:-/tmp/vigil-bench-server}
V=${VIGIL_BIN:-build/vigil}
mkdir -p "$WORK"
rm -f "$WORK"/bench.db*
if [ ! -f "$WORK/hashes-$ROWS.csv" ]; then
  python3 bench/bank/gen_hash_list.py "$ROWS" > "$WORK/hashes-$ROWS.csv"
fi
$V bank create bench --db "$WORK/bench.db" >/dev/null
/usr/bin/time -f "import: %e s" $V bank import bench "$WORK/hashes-$ROWS.csv" --db "$WORK/bench.db" -q
KEY=$($V keys create --db "$WORK/bench.db" --name bench --role ingest-client 2>/dev/null)
PORT=${BENCH_PORT:-18090}
cat > "$WORK/server.json" <<JSON
{"port": $PORT, "database": "$WORK/bench.db", "threads": $THREADS,
 "limits": {"keep_alive_max_requests": 100000000}}
JSON
$V serve --config "$WORK/server.json" 2> "$WORK/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
START=$(date +%s.%N)
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.2; done
echo "server ready after $(echo "$(date +%s.%N) - $START" | bc) s (index built)"
curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/m/index/status?signal_type=pdq"; echo
# One stored hash, to time guaranteed matches (distance 0).
HIT=$(sed -n 2p "$WORK/hashes-$ROWS.csv" | cut -d, -f2)
uptime
echo "== random queries (no match expected)"
wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/server/lookup.lua "http://127.0.0.1:$PORT" -- "$KEY"
uptime
echo "== matching queries (one stored hash, distance 0)"
wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/server/lookup.lua "http://127.0.0.1:$PORT" -- "$KEY" "$HIT"
uptime
ps -o rss=,vsz= -p $PID | awk '{printf "server RSS %.0f MiB\n", $1/1024}'
