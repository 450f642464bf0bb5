#!/usr/bin/env python3
"""The original RandomAlgo, as an external strategy of Intuition.

It keeps the original interface: `initialize(params)` returns the data
channels it wants, and `event(data)` is called once per quote and may return
a signal. The runtime forwards the quotes of the strategy's channels to
`quotes/out/<strategy>` and trades the signals published to
`signals/in/<strategy>` (both after `mqtt.topic_prefix`), sizing, checking,
journaling and publishing them like a built-in algorithm's.

    python3 examples/random_algo.py --broker mqtt://127.0.0.1:1883 \\
        --strategy ext --threshold 0.5 --seed 42

Needs paho-mqtt (Debian: python3-paho-mqtt; the 1.x API, which 2.x keeps
behind `CallbackAPIVersion.VERSION1`).
"""

import argparse
import json
import random
import signal
import sys
import threading
import time
from urllib.parse import urlparse

import paho.mqtt.client as mqtt


class RandomAlgo:
    """Buys when a uniform draw is above the threshold."""

    def __init__(self):
        self.threshold = 0.5
        self.rng = random.Random(42)

    def initialize(self, params):
        """Applies `params` and returns the data channels wanted."""
        self.threshold = float(params.get("threshold", 0.5))
        self.rng = random.Random(params.get("seed", 42))
        return ["quotes"]

    def event(self, data):
        """One forwarded quote in; a signal (a dict) or None out."""
        if self.rng.random() > self.threshold:
            return {"symbol": data["symbol"], "side": "buy",
                    "quote_seq": data["quote_seq"]}
        return None


def broker_address(url):
    parsed = urlparse(url if "://" in url else "mqtt://" + url)
    if parsed.scheme != "mqtt" or not parsed.hostname:
        raise ValueError("--broker: expected mqtt://HOST:PORT, got " + url)
    return parsed.hostname, parsed.port or 1883


def make_client(client_id):
    # paho-mqtt 2.x wants the callback API named; 1.x (Debian bookworm) has
    # no such argument and only the API used here.
    version = getattr(mqtt, "CallbackAPIVersion", None)
    if version is not None:
        return mqtt.Client(version.VERSION1, client_id=client_id,
                           clean_session=True)
    return mqtt.Client(client_id=client_id, clean_session=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", default="mqtt://127.0.0.1:1883")
    parser.add_argument("--strategy", required=True,
                        help="name of the external strategy in the config")
    parser.add_argument("--prefix", default="",
                        help="the runtime's mqtt.topic_prefix")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--count", type=int, default=0,
                        help="exit after this many signals (0: never)")
    parser.add_argument("--exit-after", type=float, default=0,
                        help="exit after this many seconds (0: never)")
    args = parser.parse_args(argv)
    try:
        host, port = broker_address(args.broker)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2

    algo = RandomAlgo()
    algo.initialize({"threshold": args.threshold, "seed": args.seed})
    quotes_topic = args.prefix + "quotes/out/" + args.strategy
    signals_topic = args.prefix + "signals/in/" + args.strategy
    done = threading.Event()
    sent = [0]
    unacked = []

    def on_connect(client, userdata, flags, rc):
        if rc != 0:
            print("random_algo: connection refused: "
                  + mqtt.connack_string(rc), file=sys.stderr)
            done.set()
            return
        client.subscribe(quotes_topic, qos=0)

    def on_subscribe(client, userdata, mid, granted_qos):
        print("random_algo: ready: " + quotes_topic + " -> " + signals_topic,
              file=sys.stderr, flush=True)

    def on_message(client, userdata, msg):
        try:
            data = json.loads(msg.payload)
        except ValueError:
            return
        if done.is_set() or not isinstance(data, dict) or "symbol" not in data:
            return
        out = algo.event(data)
        if out is None:
            return
        # QoS 1: the runtime's input log keeps it once the broker has it.
        unacked.append(client.publish(signals_topic, json.dumps(out), qos=1))
        while unacked and unacked[0].is_published():
            unacked.pop(0)
        sent[0] += 1
        if args.count and sent[0] >= args.count:
            done.set()

    client = make_client("random-algo-" + args.strategy)
    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        client.connect(host, port, keepalive=10)
    except OSError as err:
        print("random_algo: cannot connect to %s:%d: %s" % (host, port, err),
              file=sys.stderr)
        return 1
    client.loop_start()
    done.wait(args.exit_after if args.exit_after > 0 else None)
    # Let the last QoS 1 publishes reach the broker before leaving.
    deadline = time.monotonic() + 5
    while any(not m.is_published() for m in unacked) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    client.disconnect()
    client.loop_stop()
    print("random_algo: %d signals sent" % sent[0], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
