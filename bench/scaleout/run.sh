#!/usr/bin/env bash
# Scale-out benchmark: items/s end to end (job in NATS -> pipeline -> PostgreSQL commit -> ack)
# with 1 and 2 `vigil worker` processes, on loopback (docs/scaling.md, "Benchmark").
#
# Usage: scripts/with-postgres bench/scaleout/run.sh [ITEMS] [THREADS_PER_WORKER]
#   needs VIGIL_TEST_POSTGRES_URL (scripts/with-postgres sets it), nats-server, python3, psql,
#   and a built build/vigil.
# For each worker count: a fresh database, a fresh nats-server, ITEMS hash-only jobs (every 10th
# banked) published BEFORE the workers start, then the time from the workers' start until every
# item has its ledger row. Also the CPU seconds the workers, PostgreSQL and nats-server used
# meanwhile (from /proc): on a shared machine the wall-clock rate depends on the other load, the
# CPU cost per item does not, and it is what the sizing in docs/scaling.md is derived from.
set -euo pipefail
ITEMS="${1:-20000}"
THREADS="${2:-2}"
VIGIL="${VIGIL:-build/vigil}"
NATS_SERVER="${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
: "${VIGIL_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
WORK="$(mktemp -d /tmp/vigil-scale-bench.XXXXXX)"
NATS_PID=""
WORKER_PIDS=()
cleanup() {
  for p in "${WORKER_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "$NATS_PID" ]; then kill -KILL "$NATS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# CPU seconds (user + system) of PIDs, with their reaped children.
cpu() {
  python3 - "$@" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
total = 0
for pid in sys.argv[1:]:
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in f[11:15])
    except OSError:
        pass
print(f"{total / tick:.2f}")
PY
}
# The PostgreSQL server's processes: the postmaster (whose reaped backends count in its children
# time) and its live children.
pg_pids() {
  local checkpointer postmaster
  checkpointer=$(psql -tA "$VIGIL_TEST_POSTGRES_URL" -c \
    "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
  postmaster=$(awk '{print $4}' "/proc/$checkpointer/stat")
  echo "$postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"
}

python3 - "$ITEMS" "$WORK" <<'PY'
import hashlib, json, sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/jobs.jsonl", "w") as jobs, open(f"{work}/bank.csv", "w") as bank:
    bank.write("signal_type,signal_value\n")
    for i in range(n):
        item = f"item-{i}".encode()
        md5 = hashlib.md5(item).hexdigest()
        jobs.write(json.dumps({"item_id": f"item-{i}", "account_id": f"acct-{i}",
                               "surface": "photos/upload", "region": "eu",
                               "pdq": hashlib.sha256(b"pdq-" + item).hexdigest(),
                               "pdq_quality": 100, "md5": md5,
                               "sha256": hashlib.sha256(item).hexdigest()}) + "\n")
        if i % 10 == 0:
            bank.write(f"md5,{md5}\n")
PY

base="${VIGIL_TEST_POSTGRES_URL%/*}"
for workers in 1 2; do
  db="scalebench_${workers}_$$"
  psql -q "$VIGIL_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" >/dev/null
  url="$base/$db"
  port=$((20000 + RANDOM % 30000))
  rm -rf "$WORK/nats" && mkdir -p "$WORK/nats"
  "$NATS_SERVER" -js -a 127.0.0.1 -p "$port" -sd "$WORK/nats" -l "$WORK/nats.log" &
  NATS_PID=$!
  sleep 1
  "$VIGIL" bank create hotline --db "$url" >/dev/null
  "$VIGIL" bank import hotline "$WORK/bank.csv" --db "$url" -q >/dev/null
  "$VIGIL" queue publish --nats "nats://127.0.0.1:$port" "$WORK/jobs.jsonl" 2>/dev/null
  pg_before=$(cpu $(pg_pids))
  nats_before=$(cpu "$NATS_PID")
  start=$(date +%s.%N)
  WORKER_PIDS=()
  for w in $(seq 1 "$workers"); do
    printf '{"name":"b%s","database":"%s","threads":%s,"batch":8,"nats":{"url":"nats://127.0.0.1:%s"}}' \
      "$w" "$url" "$THREADS" "$port" >"$WORK/w$w.json"
    "$VIGIL" worker --config "$WORK/w$w.json" 2>"$WORK/w$w.log" &
    WORKER_PIDS+=($!)
  done
  while :; do
    done_count=$(psql -tA "$url" -c "SELECT COUNT(*) FROM processed_items" 2>/dev/null || echo 0)
    [ "$done_count" -ge "$ITEMS" ] && break
    sleep 0.2
  done
  end=$(date +%s.%N)
  worker_cpu=$(cpu "${WORKER_PIDS[@]}")
  nats_cpu=$(python3 -c "print(f'{$(cpu "$NATS_PID") - $nats_before:.2f}')")
  for p in "${WORKER_PIDS[@]}"; do kill -TERM "$p"; wait "$p" 2>/dev/null || true; done
  WORKER_PIDS=()
  sleep 0.5  # the workers' database sessions end and are reaped into the postmaster's time
  pg_cpu=$(python3 -c "print(f'{$(cpu $(pg_pids)) - $pg_before:.2f}')")
  kill -TERM "$NATS_PID"; wait "$NATS_PID" 2>/dev/null || true; NATS_PID=""
  python3 - "$start" "$end" "$ITEMS" "$workers" "$THREADS" "$worker_cpu" "$pg_cpu" "$nats_cpu" <<'PY'
import sys
start, end, n, w, t = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
wc, pc, nc = (float(x) for x in sys.argv[6:9])
s = end - start
print(f"workers={w} threads/worker={t} items={n} seconds={s:.2f} items/s={n / s:.0f} "
      f"cpu_s: workers={wc:.2f} postgres={pc:.2f} nats={nc:.2f} "
      f"items/cpu_s: workers={n / wc:.0f} all={n / (wc + pc + nc):.0f}")
PY
  psql -q "$VIGIL_TEST_POSTGRES_URL" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other jobs)"
