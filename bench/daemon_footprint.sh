#!/usr/bin/env bash
# Footprint of `xprobe run` against the sandbox: resident memory and CPU
# seconds per probe of the xprobe process alone, with N routes, each a rule
# that delivers to its own sandbox queue. In the same run, the resident
# memory of Debian's idle prometheus-blackbox-exporter, for comparison.
#
#   bench/daemon_footprint.sh [N ...]        default: 100 1000
#
# Environment: BENCH_INTERVAL (route interval, default 30s), BENCH_SECONDS
# (measured window after one warm-up interval, default 120), XPROBE_BIN (a
# binary to measure instead of building the release one), CARGO_TARGET_DIR. Starts the sandbox if it is not running. Creates queues
# xprobe-bench-NNNN and rules xprobe_bench_NNNN in account A (kept for the
# next run; `deploy/sandbox/ctl reset` removes them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/xprobe/target}
INTERVAL=${BENCH_INTERVAL:-30s}
SECONDS_MEASURED=${BENCH_SECONDS:-120}
COUNTS=("$@")
[[ ${#COUNTS[@]} -gt 0 ]] || COUNTS=(100 1000)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf 'bench: %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Polls a URL until it answers 200, for at most $2 seconds.
wait_http() {
  local url=$1 limit=$2 i
  for ((i = 0; i < limit * 5; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  log "no answer from $url after ${limit}s"; return 1
}
# "probes delivered" summed over every route, from one scrape.
probe_counts() {
  curl -fsS "$1/metrics" | awk '/^xprobe_probes_total\{/ {s += $NF; if (/result="delivered"/) d += $NF} END {print s + 0, d + 0}'
}

if [[ -n "${XPROBE_BIN:-}" ]]; then
  BIN=$XPROBE_BIN
else
  log "building the release binary"
  cargo build --release --quiet --bin xprobe
  BIN=$CARGO_TARGET_DIR/release/xprobe
fi

if ! { [[ -s .sandbox/ministack.pid ]] && kill -0 "$(cat .sandbox/ministack.pid)" 2>/dev/null; }; then
  log "starting the sandbox"
  deploy/sandbox/up >&2
fi

MAX=0
for n in "${COUNTS[@]}"; do ((n > MAX)) && MAX=$n; done
log "creating $MAX bench queues and rules in account A"
.sandbox/venv/bin/python - "$MAX" >"$WORK/queues.txt" <<'PY'
import sys
import boto3
n = int(sys.argv[1])
s = boto3.Session(aws_access_key_id="111111111111", aws_secret_access_key="test", region_name="us-east-1")
ep = "http://127.0.0.1:4610"
sqs, iot = s.client("sqs", endpoint_url=ep), s.client("iot", endpoint_url=ep)
have, token = set(), None
while True:
    page = iot.list_topic_rules(**({"nextToken": token} if token else {}))
    have.update(r["ruleName"] for r in page.get("rules", []))
    token = page.get("nextToken")
    if not token:
        break
role = "arn:aws:iam::111111111111:role/my-iot-role"
for i in range(n):
    name = f"xprobe-bench-{i:04d}"
    sqs.create_queue(QueueName=name)
    url = f"https://sqs.us-east-1.amazonaws.com/111111111111/{name}"
    rule = f"xprobe_bench_{i:04d}"
    if rule not in have:
        iot.create_topic_rule(ruleName=rule, topicRulePayload={
            "sql": f"SELECT * FROM 'xprobe/bench/{i:04d}'",
            "awsIotSqlVersion": "2016-03-23",
            "actions": [{"sqs": {"queueUrl": url, "roleArn": role, "useBase64": False}}],
        })
    print(url)
PY

# Writes a config with the first $1 bench routes to $2.
write_config() {
  local n=$1 out=$2
  sed -n '/^\[accounts.source\]/,/^connect_timeout/p' probes/sandbox.toml \
    | sed "s#\.\./\.sandbox#$ROOT/.sandbox#g" >"$out"
  echo 'client_id = "xprobe-bench"' >>"$out"
  head -n "$n" "$WORK/queues.txt" | awk -v interval="$INTERVAL" '{
    i = sprintf("%04d", NR - 1)
    printf "\n[[routes]]\nname = \"bench-%s\"\naccount = \"source\"\nrule = \"xprobe_bench_%s\"\nbasic_ingest = true\npayload = '\''{\"bench\": true}'\''\ndeadline = \"10s\"\ninterval = \"%s\"\n", i, i, interval
    printf "\n[[routes.destinations]]\nkind = \"sqs\"\naccount = \"source\"\nqueue_url = \"%s\"\n", $0
  }' >>"$out"
}

interval_s=$(python3 -c "import sys; s=sys.argv[1]; print(int(s[:-1]) * (60 if s.endswith('m') else 1))" "$INTERVAL")
TICKS=$(getconf CLK_TCK)
declare -a RESULTS
for n in "${COUNTS[@]}"; do
  cfg="$WORK/bench-$n.toml"
  write_config "$n" "$cfg"
  port=$(free_port)
  log "$n routes: xprobe run on 127.0.0.1:$port, interval $INTERVAL, warm-up ${interval_s}s, window ${SECONDS_MEASURED}s"
  RUST_LOG=warn "$BIN" run --config "$cfg" --listen "127.0.0.1:$port" 2>"$WORK/xprobe-$n.log" &
  pid=$!
  PIDS+=("$pid")
  url="http://127.0.0.1:$port"
  wait_http "$url/readyz" 60
  sleep "$interval_s"
  c0=$(cpu_ticks "$pid"); read -r p0 _ < <(probe_counts "$url")
  sleep "$SECONDS_MEASURED"
  if ! kill -0 "$pid" 2>/dev/null; then
    log "xprobe run ($n routes) exited during the window; its log:"; tail -n 30 "$WORK/xprobe-$n.log" >&2; exit 1
  fi
  c1=$(cpu_ticks "$pid"); read -r p1 d1 < <(probe_counts "$url")
  rss=$(rss_kb "$pid"); hwm=$(hwm_kb "$pid")
  kill -TERM "$pid"; wait "$pid" || true
  probes=$((p1 - p0))
  RESULTS+=("$(awk -v n="$n" -v rss="$rss" -v hwm="$hwm" -v dc="$((c1 - c0))" -v t="$TICKS" -v p="$probes" -v d="$d1" -v all="$p1" \
    'BEGIN { printf "xprobe run, %5d routes: RSS %6.1f MB (peak %6.1f MB), %6d probes in window, CPU %.4f s/probe, delivered %d of %d so far", n, rss/1024, hwm/1024, p, (p > 0 ? dc/t/p : 0), d, all }')")
  log "${RESULTS[-1]}"
done

if ! command -v prometheus-blackbox-exporter >/dev/null; then
  log "installing Debian's prometheus-blackbox-exporter"
  apt-get install -y -qq prometheus-blackbox-exporter >/dev/null
fi
port=$(free_port)
printf 'modules:\n  http_2xx:\n    prober: http\n' >"$WORK/blackbox.yml"
prometheus-blackbox-exporter --config.file="$WORK/blackbox.yml" --web.listen-address="127.0.0.1:$port" 2>"$WORK/blackbox.log" &
bpid=$!
PIDS+=("$bpid")
wait_http "http://127.0.0.1:$port/metrics" 30
sleep 5
brss=$(rss_kb "$bpid")
kill -TERM "$bpid"; wait "$bpid" || true
RESULTS+=("$(awk -v r="$brss" 'BEGIN { printf "prometheus-blackbox-exporter (Debian, idle): RSS %.1f MB", r/1024 }')")

echo "== daemon footprint ($(date -u +%FT%TZ), $(nproc) cores, interval $INTERVAL, window ${SECONDS_MEASURED}s)"
printf '%s\n' "${RESULTS[@]}"
