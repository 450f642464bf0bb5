#!/usr/bin/env bash
# Replay through the actors against the plain single-threaded loop
# (build/bench/intuition-bench-loop), by symbol count and strategy weight.
#
# For each symbol count (4 = the demo data repeated; then S000000...
# symbols with sine prices, 200,000 quotes per file) and each strategy set
# (one cheap sma_crossover, three 150-quote windows, hurst over 256
# quotes), both programs replay the same file with the same config (fsync
# never) RUNS times. Up to 1,000 symbols the hurst rows replay at least
# 1,000 rounds (1,000,000 quotes at 1,000 symbols), so that its window fills
# and it computes for most of the run. Printed per cell: whole-process wall time of each (median, with
# min-max), actors' speed relative to the loop (loop time / actors time:
# above 1 the actors are faster), peak RSS of each, the time from the
# replay's summary to the actor process's exit (the wind-down of every
# actor), and whether the two journals are byte-identical.
#
# usage: bench/scaling.sh [RUNS] [SYMBOL COUNTS...]
#        (default: 3 runs over 4 100 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${INTUITION:-build/intuition}
loop=${INTUITION_LOOP:-build/bench/intuition-bench-loop}
runs=${1:-3}
shift || true
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(4 100 1000 10000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for f in "$bin" "$loop"; do
  [ -x "$f" ] || { echo "missing $f: build first (scripts/build)" >&2; exit 2; }
done

strategies_cheap='{"name": "trend", "algorithm": "sma_crossover", "params": {"fast": 2, "slow": 5}}'
strategies_heavy='{"name": "trend", "algorithm": "sma_crossover", "params": {"fast": 50, "slow": 150}},
  {"name": "revert", "algorithm": "mean_reversion", "params": {"window": 150, "k": 2.0}},
  {"name": "momentum", "algorithm": "momentum", "params": {"lookback": 150, "threshold": 0.02}}'
strategies_hurst='{"name": "regime", "algorithm": "hurst", "params": {"window": 256}}'

for set in cheap heavy hurst; do
  var="strategies_$set"
  cat > "$work/$set.json" <<EOF
{"strategies": [${!var}],
 "portfolio": {"starting_cash": 100000000,
               "sizing": {"kind": "fixed_quantity", "quantity": 1}},
 "journal": {"path": "unused.journal", "fsync": "never"}}
EOF
done

python3 - "$bin" "$loop" "$runs" "$work" "${counts[@]}" <<'PY'
import filecmp, math, os, statistics, subprocess, sys, time

bin_, loop, runs, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
counts = [int(x) for x in sys.argv[5:]]

def run(cmd, summary_marker=None):
    """Runs cmd; returns (wall s, peak RSS MB, s from summary line to exit)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    marked = None
    for line in p.stdout:
        if marked is None and summary_marker and summary_marker in line:
            marked = time.monotonic()
    _, status, usage = os.wait4(p.pid, 0)
    end = time.monotonic()
    if status != 0:
        raise SystemExit(f"{cmd[0]} failed ({status}): {' '.join(cmd)}")
    return end - t0, usage.ru_maxrss / 1024, (end - marked) if marked else None

def quotes_file(count, rounds):
    path = os.path.join(work, f"quotes_{count}_{rounds}.csv")
    if os.path.exists(path):
        return path
    with open(path, "w") as out:
        out.write("ts,symbol,price\n")
        if count == 4:
            # The demo data, repeated with rising timestamps.
            rows = [l.strip().split(",") for l in open("data/eustockmarkets.csv")][1:]
            span = int(rows[-1][0]) - int(rows[0][0]) + 1
            for r in range(rounds):
                for ts, sym, price in rows:
                    out.write(f"{int(ts) + r * span},{sym},{price}\n")
        else:
            for i in range(rounds):
                for j in range(count):
                    price = 100 + 10 * math.sin(i / 7.0 + j) + (i % 13) / 10.0
                    out.write(f"{1700000000000 + i * 60000},S{j:06d},{price:.2f}\n")
    return path

def fmt(xs):
    return f"{statistics.median(xs):6.2f} ({min(xs):.2f}-{max(xs):.2f})"

print(f"{'symbols':>8} {'strategies':>10} {'quotes':>9} {'actors s':>19} {'loop s':>19} "
      f"{'speed':>6} {'RSS MB a/l':>12} {'exit s':>6} journals")
for count in counts:
    for set_ in ("cheap", "heavy", "hurst"):
        if count == 4:
            rounds = 27  # 7,440 demo quotes a round
        else:
            rounds = 200000 // count
            if set_ == "hurst" and count <= 1000:
                rounds = max(rounds, 1000)
        quotes = quotes_file(count, rounds)
        n = rounds * (7440 if count == 4 else count)
        cfg = os.path.join(work, f"{set_}.json")
        actors, loops, rss_a, rss_l, exits, same = [], [], [], [], [], True
        for i in range(runs):
            ja, jl = os.path.join(work, "a.journal"), os.path.join(work, "l.journal")
            # A new history each time: the journal and its end record.
            for j in (ja, jl, ja + ".end", jl + ".end"):
                if os.path.exists(j):
                    os.remove(j)
            w, r, e = run([bin_, "replay", "--config", cfg, "--quotes", quotes,
                           "--journal", ja, "--quiet"], "replay finished")
            actors.append(w); rss_a.append(r); exits.append(e or 0.0)
            w, r, _ = run([loop, "--config", cfg, "--quotes", quotes,
                           "--journal", jl])
            loops.append(w); rss_l.append(r)
            same = same and filecmp.cmp(ja, jl, shallow=False)
        speed = statistics.median(loops) / statistics.median(actors)
        print(f"{count:>8} {set_:>10} {n:>9} {fmt(actors):>19} {fmt(loops):>19} "
              f"{speed:5.2f}x {max(rss_a):5.0f}/{max(rss_l):<5.0f} "
              f"{statistics.median(exits):6.2f} {'identical' if same else 'DIFFER'}",
              flush=True)
PY
