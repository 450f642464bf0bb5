#!/usr/bin/env bash
# Cluster benchmarks, all on 127.0.0.1, every run bounded:
#   1. replay throughput with every algorithm actor on the coordinator vs
#      spread over two worker nodes (and no local actors), for a cheap
#      strategy set and a heavier one (three long-window strategies);
#   2. failure detection: time from SIGKILL / SIGSTOP of a node to the
#      coordinator's "lost" line, and the time until every actor of that node
#      runs elsewhere again;
#   3. node-local ingress (cluster.ingress node, with every quote sent to
#      the coordinator and with cluster.marks latest) against coordinator
#      ingress, live over a real mosquitto: the rate at which a queued
#      backlog is traded, the coordinator's CPU time per 100,000 quotes, and
#      detection and takeover times of a node's SIGKILL and SIGSTOP.
# usage: bench/cluster.sh [ingress] [SYMBOLS] [ROUNDS]
#        (default 1000 symbols x 200; `ingress` runs part 3 alone; its
#        backlog is 500 symbols x INTUITION_BENCH_ROUNDS, default 2000, in
#        INTUITION_BENCH_SHARDS shards, default 64)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${INTUITION:-build/intuition}
only_ingress=false
if [ "${1:-}" = ingress ]; then
  only_ingress=true
  shift
fi
symbols=${1:-1000}
rounds=${2:-200}
work=$(mktemp -d)
# Nodes start in a command substitution, so they are no jobs of this shell:
# their pids are kept in files and stopped here too.
cleanup() {
  local nodes
  nodes=$(cat "$work"/*.pid 2>/dev/null || true)
  kill -CONT $(jobs -p) $nodes 2>/dev/null || true
  kill $(jobs -p) $nodes 2>/dev/null || true
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
      printf("%.0f,S%04d,%.2f\n", 1700000000000 + i * 60000, j,
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

start_node() { # NAME [CAFCONF] -> port
  "$bin" node --port 0 --name "$1" --caf-config "${2:-$work/caf.conf}" \
    > "$work/$1.out" 2> "$work/$1.err" &
  echo $! > "$work/$1.pid"
  for _ in $(seq 100); do
    grep -q "ready on" "$work/$1.err" 2>/dev/null && break
    sleep 0.05
  done
  grep -o "ready on 127.0.0.1:[0-9]*" "$work/$1.err" | grep -o "[0-9]*$"
}

# The node's own pid: a name could match a process left from another run.
pid_of() { cat "$work/$1.pid"; }

rate_of() { # summary file -> quotes/s
  grep -o "([0-9]* quotes/s)" "$1" | grep -o "[0-9]*"
}

if ! $only_ingress; then
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
  pid=$(pid_of "$2")
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
kill $(jobs -p) 2>/dev/null || true
fi

# -- 3. node-local ingress ------------------------------------------------------
command -v mosquitto > /dev/null && command -v mosquitto_sub > /dev/null || {
  echo "mosquitto or mosquitto_sub not found: node-local ingress skipped"
  exit 0
}
isymbols=500
# A backlog of 1,000,000 quotes: one clock tick of CPU time is then 0.001 s
# per 100,000 quotes, a tenth of what the coordinator spends with `latest`
# marks (at 200,000 it was 0.005 s, a fifth).
irounds=${INTUITION_BENCH_ROUNDS:-2000}
in=$((isymbols * irounds))
port=$((20000 + RANDOM % 20000))
cat > "$work/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
EOF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
mosq=$!
sleep 0.5
broker="mqtt://127.0.0.1:$port"
awk -v s="$isymbols" 'BEGIN { for (j = 0; j < s; ++j) printf("S%04d\n", j); }' \
  > "$work/universe.txt"
awk -v s="$isymbols" -v r="$irounds" 'BEGIN {
  print "ts,symbol,price";
  for (i = 0; i < r; ++i)
    for (j = 0; j < s; ++j)
      printf("%.0f,S%04d,%.2f\n", 1700000000000 + i * 60000, j, 100 + (i % 13) / 10.0);
}' > "$work/iquotes.csv"
# A long connection timeout where nodes are frozen on purpose while the
# backlog is published.
sed 's/connection-timeout=1s/connection-timeout=60s/' "$work/caf.conf" \
  > "$work/slow.conf"
iconfig() { # NAME INGRESS LOCAL [THRESHOLD] [MARKS]
  cat > "$work/$1.json" <<EOF
{"strategies": [{"name": "every", "algorithm": "random",
                 "params": {"threshold": ${4:-0.0}}}],
 "portfolio": {"starting_cash": 1000000000,
               "sizing": {"kind": "fixed_quantity", "quantity": 1}},
 "journal": {"path": "$1.journal", "fsync": "never"},
 "mqtt": {"client_id": "$1", "publish_signals": false},
 "cluster": {"local": $3, "ingress": "$2", "name": "$1",
             "universe": "universe.txt", "shards": ${INTUITION_BENCH_SHARDS:-64},
             "marks": "${5:-every}"}}
EOF
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now_ns() { date +%s%N; }
start_irun() { # NAME CAFCONF [--join ...]
  local name=$1 conf=$2
  shift 2
  "$bin" run --config "$work/$name.json" --broker "$broker" --listen 0 \
    --caf-config "$conf" --journal "$work/$name.journal" --quiet "$@" \
    > "$work/$name.out" 2> "$work/$name.err" &
  for _ in $(seq 200); do
    grep -q "intuition run: ready" "$work/$name.err" 2>/dev/null && break
    sleep 0.05
  done
}
# Freezes the processes that take quotes, publishes the backlog, wakes them
# and waits until every quote is journaled: the rate, the coordinator's CPU
# time, and that of the broker and of the nodes (whole processes, so that
# the modes compare as a sum on the shared cores).
backlog() { # NAME COORDINATOR_PID TOPIC_FLAG FROZEN_PID...
  local name=$1 coord=$2 flag=$3
  shift 3
  kill -STOP "$@"
  "$bin" feed --broker "$broker" --quotes "$work/iquotes.csv" $flag --quiet \
    > "$work/$name-feed.out" 2>&1
  local c0 t0 t1 c1 hz b0 b1 n0=0 n1=0 p
  c0=$(cpu_ticks "$coord")
  b0=$(cpu_ticks "$mosq")
  for p in "$@"; do
    [ "$p" = "$coord" ] || n0=$((n0 + $(cpu_ticks "$p")))
  done
  t0=$(now_ns)
  local listen
  listen=$(grep -o "peers on 127.0.0.1:[0-9]*" "$work/$name.err" | grep -o "[0-9]*$")
  kill -CONT "$@"
  # Asking every 50 ms cost the shared cores about 10 ms of CPU a call (an
  # `intuition inspect` process) and the process asked about 2 ms. So ask
  # four times a second, and take the end from the portfolio: when it
  # marked its last quote. With node-local ingress ask the nodes, not the
  # coordinator, whose CPU is measured (with `latest` marks those questions
  # were a tenth of it), until their shards took every quote; then the desk
  # once its last batches are in, at most `mark_interval_ms` later. The
  # desk also counts the quotes a node did not send (`latest`).
  local who=portfolio
  [ "$*" = "$coord" ] || who=shard_desk
  if [ "$who" = shard_desk ]; then
    for _ in $(seq 600); do
      [ "$(node_quotes)" -ge "$in" ] && break
      sleep 0.25
    done
  fi
  for _ in $(seq 600); do
    [ "$who" = shard_desk ] && sleep 0.25
    [ "$(quotes_of "$listen" "$who")" -ge "$in" ] && break
    [ "$who" = shard_desk ] || sleep 0.25
  done
  # CPU up to here: the question that follows is the benchmark's, not work.
  c1=$(cpu_ticks "$coord")
  b1=$(cpu_ticks "$mosq")
  for p in "$@"; do
    [ "$p" = "$coord" ] || n1=$((n1 + $(cpu_ticks "$p")))
  done
  local last
  last=$(field_of last_quote_at_ms "$(state_of "$listen" portfolio)")
  if [ "$last" -gt 0 ]; then t1=$((last * 1000000)); else t1=$(now_ns); fi
  # With node-local ingress the nodes trade the quotes; the portfolio marks
  # the ones without a signal up to `mark_interval_ms` later. So the nodes'
  # rate ends when their shards last took a read.
  local at_nodes="" port v tn=0
  for port in $inode_ports; do
    for v in $("$bin" inspect --node "127.0.0.1:$port" 'shard/*' --json \
        --caf-config "$work/slow.conf" 2> /dev/null \
        | grep -o '"last_quote_at_ms": *[0-9]*' | grep -o '[0-9]*$'); do
      [ "$v" -gt "$tn" ] && tn=$v
    done
  done
  [ "$tn" -gt 0 ] && at_nodes="traded by the nodes at $((in * 1000 / (tn - t0 / 1000000))) quotes/s, "
  hz=$(getconf CLK_TCK)
  per100k() { awk -v c="$1" -v hz="$hz" -v n="$in" \
    'BEGIN { printf("%.3f", c / hz * 100000 / n) }'; }
  local nodes=""
  [ "$*" = "$coord" ] || nodes="nodes $(per100k $((n1 - n0))) s, "
  echo "  $name: $(quotes_of "$listen" "$who") of $in traded," \
    "${at_nodes}$((in * 1000000000 / (t1 - t0))) quotes/s to the last mark," \
    "coordinator CPU" \
    "$(per100k $((c1 - c0))) s per 100,000 quotes (${nodes}broker" \
    "$(per100k $((b1 - b0))) s)"
}
# Until N quotes are journaled; with signals on 1 % of the quotes (random
# threshold 0.99) the journal holds only orders, so count the quotes in the
# run's state instead.
state_of() { # LISTEN_PORT ACTOR
  "$bin" inspect --node "127.0.0.1:$1" "$2" --json \
    --caf-config "$work/slow.conf" 2> /dev/null || true
}
field_of() { # NAME JSON
  echo "$2" | grep -o "\"$1\": *[0-9]*" | head -1 | grep -o "[0-9]*$" || echo 0
}
quotes_of() { # LISTEN_PORT ACTOR
  field_of quotes "$(state_of "$1" "$2")"
}
node_quotes() { # quotes the shards of the nodes on $inode_ports took
  local port sum=0 v
  for port in $inode_ports; do
    for v in $("$bin" inspect --node "127.0.0.1:$port" 'shard/*' --json \
        --caf-config "$work/slow.conf" 2> /dev/null \
        | grep -o '"quotes": *[0-9]*' | grep -o '[0-9]*$'); do
      sum=$((sum + v))
    done
  done
  echo "$sum"
}
# A run's persistent sessions outlive it: the broker would go on queueing
# every later quote for them, and each later run would pay for that (with
# node-local ingress, 64 sessions a run). A clean connection with a client
# id ends its session.
forget_sessions() { # NAME SHARD_COUNT: the run's session and its shards'
  local ids=("$1") i
  for ((i = 0; i < $2; ++i)); do ids+=("$1-shard-$i"); done
  for i in "${ids[@]}"; do
    mosquitto_sub -p "$port" -i "$i" -t bench/none -E > /dev/null 2>&1 || true
  done
}
inodes() { # NAME THRESHOLD MARKS: two nodes, node-local ingress
  local name=$1 ia ib pa pb pn
  ia=$(start_node "$name-a" "$work/slow.conf")
  ib=$(start_node "$name-b" "$work/slow.conf")
  pa=$(pid_of "$name-a")
  pb=$(pid_of "$name-b")
  iconfig "$name" node false "$2" "$3"
  start_irun "$name" "$work/slow.conf" --join "127.0.0.1:$ia" \
    --join "127.0.0.1:$ib"
  pn=$(pgrep -f -- "--journal $work/$name.journal" | head -1)
  sleep 2
  inode_ports="$ia $ib"
  backlog "$name" "$pn" --topic-per-symbol "$pa" "$pb"
  kill -INT "$pn"
  kill "$pa" "$pb"
  sleep 2
  forget_sessions "$name" "${INTUITION_BENCH_SHARDS:-64}"
}
echo "node-local ingress: a backlog of $in quotes ($isymbols symbols x $irounds rounds), QoS 1, ${INTUITION_BENCH_SHARDS:-64} shards"
for threshold in 0.0 0.99; do
  if [ "$threshold" = 0.0 ]; then
    t=every
    echo " a signal on every quote:"
  else
    t=rare
    echo " signals on 1 % of the quotes:"
  fi
  inode_ports=""
  iconfig "coordinator-$t" coordinator true "$threshold"
  start_irun "coordinator-$t" "$work/slow.conf"
  pc=$(pgrep -f -- "--journal $work/coordinator-$t.journal" | head -1)
  backlog "coordinator-$t" "$pc" "" "$pc"
  kill -INT "$pc"
  sleep 2
  forget_sessions "coordinator-$t" 0
  inodes "nodes-$t" "$threshold" every
  # With a signal on every quote each quote is sent anyway.
  [ "$t" = every ] || inodes "nodes-$t-latest" "$threshold" latest
done

# -- node-local failover: detection and takeover
ifail() { # SIGNAL
  local name=fail$1
  iconfig "$name" node false
  local a b pa pb pr
  a=$(start_node "f$1a" "$work/caf.conf")
  b=$(start_node "f$1b" "$work/caf.conf")
  pa=$(pid_of "f$1a")
  pb=$(pid_of "f$1b")
  start_irun "$name" "$work/caf.conf" --join "127.0.0.1:$a" --join "127.0.0.1:$b"
  pr=$(pgrep -f -- "--journal $work/$name.journal" | head -1)
  sleep 2
  "$bin" feed --broker "$broker" --quotes "$work/iquotes.csv" \
    --topic-per-symbol --rate 5000 --quiet > "$work/$name-feed.out" 2>&1 &
  local feeder=$!
  sleep 2
  local t0 t1
  t0=$(now_ns)
  kill "-$1" "$pa"
  for _ in $(seq 2000); do
    grep -q "shard_desk: lost node f$1a" "$work/$name.out" && break
    sleep 0.005
  done
  t1=$(now_ns)
  for _ in $(seq 400); do
    grep -q "every shard of node f$1a runs again" "$work/$name.out" && break
    sleep 0.05
  done
  echo "  $1: lost after $(((t1 - t0) / 1000000)) ms;" \
    "$(grep -o "every shard of node f$1a.*" "$work/$name.out")"
  kill "$feeder" 2>/dev/null || true
  wait "$feeder" 2>/dev/null || true
  kill -CONT "$pa" 2>/dev/null || true
  kill -INT "$pr"
  sleep 2
  kill "$pa" "$pb" 2>/dev/null || true
}
echo "node-local failover (heartbeat 100 ms, connection timeout 1 s), ${INTUITION_BENCH_SHARDS:-64} shards over 2 nodes"
ifail KILL
ifail STOP
