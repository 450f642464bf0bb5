#!/usr/bin/env bash
# Observability costs, all on 127.0.0.1, every run bounded:
#   1. replay throughput without the metrics endpoint, and with it while
#      /metrics is scraped every 100 ms (CAF-style probes are always on);
#   2. /metrics scrape time with SYMBOLS x 3 algorithm actors running;
#   3. intuition inspect round trips (a whole process: start, connect, ask).
# usage: bench/observe.sh [REPEAT] [SYMBOLS]   (default 1350, 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${INTUITION:-build/intuition}
repeat=${1:-1350}
symbols=${2:-1000}
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

rate_of() { grep -o "([0-9]* quotes/s)" "$1" | grep -o "[0-9]*"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "replay of $((7440 * repeat)) quotes (configs/demo.json, fsync never), median of 3"
sed 's/"fsync": "always"/"fsync": "never"/' configs/demo.json > "$work/demo.json"
sed -i "s|\"\.\./data/|\"$PWD/data/|" "$work/demo.json"
for mode in off on; do
  for i in 1 2 3; do
    rm -f "$work/j"*
    if [ "$mode" = off ]; then
      "$bin" replay --config "$work/demo.json" --repeat "$repeat" \
        --journal "$work/j" --quiet > "$work/r.out" 2>&1
    else
      "$bin" replay --config "$work/demo.json" --repeat "$repeat" \
        --journal "$work/j" --metrics-port 0 --quiet > "$work/r.out" 2> "$work/r.err" &
      pid=$!
      for _ in $(seq 100); do grep -q "metrics on" "$work/r.err" 2>/dev/null && break; sleep 0.02; done
      port=$(grep -o "metrics on http://127.0.0.1:[0-9]*" "$work/r.err" | grep -o "[0-9]*$")
      while kill -0 "$pid" 2>/dev/null; do
        curl -s "http://127.0.0.1:$port/metrics" > /dev/null || true
        sleep 0.1
      done
      wait "$pid"
    fi
    rate_of "$work/r.out"
  done | median | xargs echo "  metrics $mode:" | sed 's/$/ quotes\/s/'
done

echo "$symbols symbols x 3 strategies = $((symbols * 3)) algorithm actors"
awk -v s="$symbols" 'BEGIN {
  print "ts,symbol,price";
  for (i = 0; i < 400; ++i)
    for (j = 0; j < s; ++j)
      printf("%d,S%04d,%.2f\n", 1700000000000 + i * 60000, j, 100 + (i + j) % 17);
}' > "$work/quotes.csv"
cat > "$work/many.json" <<EOF
{"strategies": [
   {"name": "trend", "algorithm": "sma_crossover", "params": {"fast": 5, "slow": 20}},
   {"name": "revert", "algorithm": "mean_reversion", "params": {"window": 20}},
   {"name": "momentum", "algorithm": "momentum", "params": {"lookback": 20}}],
 "portfolio": {"starting_cash": 100000000,
               "sizing": {"kind": "fixed_quantity", "quantity": 1}},
 "journal": {"path": "many.journal", "fsync": "never"}}
EOF
"$bin" replay --config "$work/many.json" --quotes "$work/quotes.csv" \
  --speed 300x --listen 0 --metrics-port 0 --quiet > "$work/m.out" 2> "$work/m.err" &
pid=$!
for _ in $(seq 100); do grep -q "metrics on" "$work/m.err" 2>/dev/null && break; sleep 0.05; done
sleep 2
mport=$(grep -o "metrics on http://127.0.0.1:[0-9]*" "$work/m.err" | grep -o "[0-9]*$")
lport=$(grep -o "peers on 127.0.0.1:[0-9]*" "$work/m.err" | grep -o "[0-9]*$")
for _ in $(seq 10); do
  curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$mport/metrics"
done | median | awk '{ printf("  /metrics scrape: %.1f ms (median of 10)\n", $1 * 1000) }'
echo "  /metrics size: $(curl -s "http://127.0.0.1:$mport/metrics" | wc -c) bytes," \
     "$(curl -s "http://127.0.0.1:$mport/metrics" | grep -vc '^#') series"
for what in portfolio algorithm/trend/S0001 algorithm; do
  ms=$(for _ in $(seq 5); do
    s=$(date +%s%N)
    "$bin" inspect --node "127.0.0.1:$lport" "$what" --json > "$work/i.json"
    echo $(( ($(date +%s%N) - s) / 1000000 ))
  done | median)
  echo "  inspect $what: $(grep -c '"mailbox_size"' "$work/i.json") actor(s)," \
       "$ms ms (median of 5, whole process: start, connect, ask, print)"
done
kill -INT "$pid"
wait "$pid" || true
