#!/usr/bin/env bash
# Live benchmarks, all on 127.0.0.1, every load bounded:
#   1. what one mosquitto broker carries from one publisher (intuition feed)
#      to one subscriber (mosquitto_sub counting), QoS 0 and QoS 1;
#   2. the rate `intuition run` sustains end to end on the same broker, and
#      whether it lost anything (quotes traded == quotes published);
#   3. tick-to-order latency (quote received -> order filled) at 1,000 and
#      10,000 quotes/s;
#   4. a 20 s overload flood (feed --rate max, QoS 0, one order per quote):
#      peak RSS, the backlog left on disk and queued for publication, and in
#      conflate mode the quotes conflated.
# usage: bench/live.sh [REPEAT]   (REPEAT x 7,440 bundled quotes, default 27)
#        bench/live.sh overload   (section 4 only)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${INTUITION:-build/intuition}
only=""
if [ "${1:-}" = overload ]; then only=overload; shift; fi
repeat=${1:-27}
n=$((7440 * repeat))
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
port=$((20000 + RANDOM % 30000))
until port_free "$port"; do port=$((20000 + RANDOM % 30000)); done
url=mqtt://127.0.0.1:$port

# The same settings as the embedded broker: nothing queued is ever dropped.
cat > "$work/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
set_tcp_nodelay true
EOF
[ "$(id -u)" -eq 0 ] && echo "user root" >> "$work/mosquitto.conf"
mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
"$mosq" -c "$work/mosquitto.conf" > "$work/broker.log" 2>&1 &
for _ in $(seq 50); do port_free "$port" || break; sleep 0.1; done

now() { date +%s.%N; }
# A run's persistent session outlives it: the broker would go on storing
# every later quote for it, and the later runs would pay for that. A clean
# connection with its client id ends it.
forget_session() { mosquitto_sub -p "$port" -i "$1" -t bench/none -E > /dev/null 2>&1 || true; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%d", n / (b - a) }'; }
field() { grep -m1 "\"$1\":" "$2" | sed -E 's/.*: ([-0-9.e+]+),?/\1/'; }

overload_once() { # overload policy
  # Each flood has a topic of its own: the broker may still be routing what
  # the previous flood's publisher left in its socket when this run
  # subscribes, and those quotes would reach it ahead of their repeats.
  local policy=$1 tag=flood-$1
  cat > "$work/$tag.cfg.json" <<EOF
{
  "strategies": [{"name": "every", "algorithm": "random",
                  "params": {"threshold": 0.0, "channels": ["$tag"]}}],
  "portfolio": {"starting_cash": 1000000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "$tag.journal", "fsync": "always"},
  "ingress": {"overload": "$policy"},
  "mqtt": {"client_id": "bench-$tag", "publish_signals": false}
}
EOF
  "$bin" run --config "$work/$tag.cfg.json" --broker "$url" \
    > "$work/$tag.out" 2> "$work/$tag.err" &
  local runner=$!
  # Ready: the broker acknowledged the subscription, so nothing fed is lost.
  for _ in $(seq 100); do grep -q "intuition run: ready" "$work/$tag.err" && break; sleep 0.1; done
  local t0=$(now)
  timeout -k 1 20 "$bin" feed --broker "$url" --quotes data/eustockmarkets.csv --repeat 1000 \
    --topic "$tag" --qos 0 --rate max --quiet > "$work/$tag.feed" 2>&1 || true
  local took=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  sleep 1.5 # one more progress line
  local peak=$(awk '/VmHWM/ { print $2 }' /proc/$runner/status)
  local line=$(grep "^run:" "$work/$tag.err" | tail -1)
  kill -INT $runner
  wait $runner || true
  forget_session "bench-$tag"
  local waiting=$(grep -oE "[0-9]+ orders not confirmed" "$work/$tag.err" | grep -oE "^[0-9]+" || echo 0)
  local left=$(grep -oE "[0-9]+ messages wait in the input log" "$work/$tag.err" | grep -oE "^[0-9]+" || echo 0)
  echo "$policy: flood of ${took} s; peak RSS $((peak / 1024)) MB; at its end: ${line#run: }"
  echo "$policy: at exit $left messages wait in the input log, $waiting orders wait for publication (in the journal)"
}

if [ "$only" = overload ]; then
  echo "== 4. a 20 s overload flood, QoS 0 at full speed, one order per quote"
  overload_once queue
  overload_once conflate
  exit 0
fi

echo "== 1. broker alone: $n messages, one publisher, one subscriber"
for qos in 0 1; do
  timeout 300 mosquitto_sub -p "$port" -t bench -q $qos -C "$n" > "$work/sub.txt" &
  sub=$!
  sleep 0.5
  t0=$(now)
  "$bin" feed --broker "$url" --quotes data/eustockmarkets.csv --repeat "$repeat" \
    --topic bench --qos $qos --rate max --quiet > "$work/feed.txt"
  if wait $sub; then
    echo "QoS $qos: $(rate "$n" "$t0" "$(now)") messages/s delivered, none lost"
  else
    echo "QoS $qos: subscriber got $(wc -l < "$work/sub.txt") of $n within 300 s"
  fi
done

run_once() { # qos rate count tag
  local qos=$1 r=$2 count=$3 tag=$4
  rm -f "$work/$tag.journal"*
  "$bin" run --config configs/bench-live.json --broker "$url" --quiet \
    --journal "$work/$tag.journal" --client-id "bench-$tag" \
    --exit-when-idle 3 --report "$work/$tag.json" > "$work/$tag.out" 2>&1 &
  local runner=$!
  for _ in $(seq 100); do grep -q "intuition run: ready" "$work/$tag.out" && break; sleep 0.1; done
  local reps=$(( (count + 7439) / 7440 ))
  "$bin" feed --broker "$url" --quotes data/eustockmarkets.csv --repeat "$reps" \
    --topic quotes --qos "$qos" --rate "$r" --quiet > "$work/$tag.feed"
  wait $runner
  forget_session "bench-$tag"
  local sent=$(grep -oE "published [0-9]+" "$work/$tag.feed" | grep -oE "[0-9]+")
  local got=$(field quotes "$work/$tag.json")
  local ms=$(field active_ms "$work/$tag.json")
  local p50=$(field p50_us "$work/$tag.json")
  local p99=$(field p99_us "$work/$tag.json")
  local orders=$(field orders "$work/$tag.json")
  echo "$tag: published $sent, traded $got ($((sent - got)) lost), $orders orders," \
       "$(awk -v n="$got" -v ms="$ms" 'BEGIN { printf "%d", (ms > 0 ? n * 1000 / ms : 0) }') quotes/s," \
       "tick-to-order p50 ${p50} us p99 ${p99} us"
}

echo "== 2. intuition run end to end at the publisher's full speed"
run_once 0 max "$n" qos0-max
run_once 1 max "$n" qos1-max

echo "== 3. tick-to-order latency at a fixed rate (QoS 1, 10 s each)"
run_once 1 1000 10000 qos1-1k
run_once 1 10000 100000 qos1-10k

echo "== 4. a 20 s overload flood, QoS 0 at full speed, one order per quote"
overload_once queue
overload_once conflate
