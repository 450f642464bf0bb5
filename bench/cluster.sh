#!/usr/bin/env bash
# Cluster benchmarks, all on 127.0.0.1, every run bounded:
#   1. replay throughput with every algorithm actor on the coordinator vs
#      spread over two worker nodes (and no local actors), for a cheap
#      strategy set and a heavier one (three long-window strategies);
#   2. failure detection: time from SIGKILL / SIGSTOP of a node to the
#      coordinator's "lost" line, and the time until every actor of that node
#      runs elsewhere again.
# usage: bench/cluster.sh [SYMBOLS] [ROUNDS]   (default 1000 symbols x 200)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${INTUITION:-build/intuition}
symbols=${1:-1000}
rounds=${2:-200}
work=$(mktemp -d)
cleanup() {
  kill -CONT $(jobs -p) 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Heartbeat 100 ms, timeout 1 s: the settings the detection times depend on.
cat > "$work/caf.conf" <<EOF
[scheduler]
max-threads=2
[middleman]
heartbeat-interval=100ms
connection-timeout=1s
app-identifiers=["intuition"]
EOF

awk -v s="$symbols" -v r="$rounds" 'BEGIN {
  print "ts,symbol,price";
  for (i = 0; i < r; ++i)
    for (j = 0; j < s; ++j)
      printf("%d,S%04d,%.2f\n", 1700000000000 + i * 60000, j,
             100 + 10 * sin(i / 7.0 + j) + (i % 13) / 10.0);
}' > "$work/quotes.csv"
n=$((symbols * rounds))

config() { # NAME LOCAL STRATEGIES
  cat > "$work/$1.json" <<EOF
{"strategies": [$3],
 "portfolio": {"starting_cash": 100000000,
               "sizing": {"kind": "fixed_quantity", "quantity": 1}},
 "journal": {"path": "$1.journal", "fsync": "never"},
 "cluster": {"local": $2}}
EOF
}
cheap='{"name": "trend", "algorithm": "sma_crossover", "params": {"fast": 2, "slow": 5}}'
heavy='{"name": "trend", "algorithm": "sma_crossover", "params": {"fast": 50, "slow": 150}},
       {"name": "revert", "algorithm": "mean_reversion", "params": {"window": 150, "k": 2.0}},
       {"name": "momentum", "algorithm": "momentum", "params": {"lookback": 150, "threshold": 0.02}}'

start_node() { # NAME
  "$bin" node --port 0 --name "$1" --caf-config "$work/caf.conf" \
    > "$work/$1.out" 2> "$work/$1.err" &
  for _ in $(seq 100); do
    grep -q "ready on" "$work/$1.err" 2>/dev/null && break
    sleep 0.05
  done
  grep -o "ready on 127.0.0.1:[0-9]*" "$work/$1.err" | grep -o "[0-9]*$"
}

rate_of() { # summary file -> quotes/s
  grep -o "([0-9]* quotes/s)" "$1" | grep -o "[0-9]*"
}

a=$(start_node alpha)
b=$(start_node beta)
echo "replay of $n quotes ($symbols symbols x $rounds rounds), fsync never"
for set in cheap heavy; do
  strategies=${!set}
  config "local-$set" true "$strategies"
  config "nodes-$set" false "$strategies"
  timeout 600 "$bin" replay --config "$work/local-$set.json" \
    --quotes "$work/quotes.csv" --caf-config "$work/caf.conf" --quiet \
    > "$work/local-$set.out" 2>&1
  timeout 600 "$bin" replay --config "$work/nodes-$set.json" \
    --quotes "$work/quotes.csv" --caf-config "$work/caf.conf" \
    --join "127.0.0.1:$a" --join "127.0.0.1:$b" --quiet \
    > "$work/nodes-$set.out" 2>&1
  echo "  $set: all local $(rate_of "$work/local-$set.out") quotes/s," \
       "two nodes $(rate_of "$work/nodes-$set.out") quotes/s"
done

# -- failure detection and re-placement
config failover true "$heavy"
detect() { # SIGNAL NODE PORT
  local out="$work/failover-$1.out"
  "$bin" replay --config "$work/failover.json" --quotes "$work/quotes.csv" \
    --speed 800x --caf-config "$work/caf.conf" --listen off \
    --join "127.0.0.1:$a" --join "127.0.0.1:$b" --quiet > "$out" 2>&1 &
  local run=$!
  sleep 3
  local pid
  pid=$(pgrep -f "node --port 0 --name $2" | head -1)
  local t0
  t0=$(date +%s%N)
  kill "-$1" "$pid"
  for _ in $(seq 1000); do
    grep -q "node $2 .* lost" "$out" && break
    sleep 0.005
  done
  local t1
  t1=$(date +%s%N)
  for _ in $(seq 400); do
    grep -q "every algorithm actor of node $2" "$out" && break
    sleep 0.05
  done
  echo "  $1: lost after $(( (t1 - t0) / 1000000 )) ms;" \
       "$(grep -o "every algorithm actor of node $2.*" "$out")"
  kill -INT "$run"
  wait "$run" || true
}
echo "failure detection (heartbeat 100 ms, connection timeout 1 s), $((symbols * 3)) actors over 3 members"
detect KILL alpha
detect STOP beta
