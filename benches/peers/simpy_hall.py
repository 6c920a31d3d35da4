"""The reference hall of `banshi bench sim`, written for SimPy 4: the same model as banshi's
simulator (crates/banshi-sim), so the two can be timed and their results compared.

    pip install 'simpy==4.*'
    python3 benches/peers/simpy_hall.py benches/peers/hall.toml [SEED]

Prints one JSON line: {"simpy", "seconds", "visitors", "wait_mean", "wait_p90"}. The random
numbers differ from banshi's (Python's generator), so the results agree statistically, not
exactly.

The model: Poisson arrivals at each opening hour's rate; a queue by its share; a priority share
(green channel and appointments); service times drawn on arrival (exponential, lognormal by mean
and coefficient of variation, or empirical). A window that comes free calls by the live rule:
past the waiting limit first (longest waiting), then priority, then the window's queue
preference, then arrival. A visitor who finds windows idle goes to the most specialised one for
their queue, lowest number next, green-channel window first for priority visitors and last for the
others. Windows keep serving after the doors close until nobody waits.
"""

import json
import math
import random
import sys
import time
import tomllib

import simpy

DAY = 1440.0


def minutes(text):
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def main(path, seed=None):
    with open(path, "rb") as f:
        s = tomllib.load(f)
    if seed is not None:
        s["seed"] = seed
    open_, close = minutes(s["open"]), minutes(s["close"])
    days, weights = s["days"], s["hourly_weights"]
    priority_share = s.get("priority_share", 0.0) + s.get("appointment_share", 0.0)
    max_wait = s.get("policy", {}).get("max_wait_minutes", 60)
    queues = [q["id"] for q in s["queue"]]
    shares = [q["share"] for q in s["queue"]]
    services = [q["service"] for q in s["queue"]]
    windows = [
        {
            "id": w["id"],
            "serves": [queues.index(q) for q in w["serves"]],
            "green": w.get("green_channel", False),
            "idle": True,
            "wake": None,
        }
        for w in s["window"]
    ]
    hours = []
    for h in range(len(weights)):
        start = open_ + 60 * h
        hours.append((start, min(start + 60, close)))
    weighted = sum((end - start) * w for (start, end), w in zip(hours, weights))
    rates = [s["visitors_per_day"] * w / weighted for w in weights]
    rng = random.Random(s.get("seed", 1))

    def draw(service):
        if service["dist"] == "exponential":
            return rng.expovariate(1.0 / service["mean"])
        if service["dist"] == "lognormal":
            sigma2 = math.log(1 + service["cv"] ** 2)
            return rng.lognormvariate(math.log(service["mean"]) - sigma2 / 2, math.sqrt(sigma2))
        return rng.choice(service["samples"])

    env = simpy.Environment()
    lanes = [([], []) for _ in queues]  # per queue: walk-ins, priority; each in arrival order
    waits = []

    def rank(visitor, preference, now):
        if now - visitor["arrived"] >= max_wait:
            return (0, 0, visitor["arrived"], visitor["id"])
        return (1 if visitor["priority"] else 2, preference, visitor["arrived"], visitor["id"])

    def call_next(window, now):
        best = None
        for preference, q in enumerate(window["serves"]):
            for lane in lanes[q]:
                if lane:
                    r = rank(lane[0], preference, now)
                    if best is None or r < best[0]:
                        best = (r, lane)
        return best[1].pop(0) if best else None

    def window_process(window):
        while True:
            visitor = call_next(window, env.now)
            if visitor is None:
                window["idle"] = True
                window["wake"] = env.event()
                visitor = yield window["wake"]
                window["idle"] = False
            waits.append(env.now - visitor["arrived"])
            yield env.timeout(visitor["service"])

    def arrivals():
        next_id = 0
        for day in range(days):
            for (start, end), rate in zip(hours, rates):
                t = day * DAY + start
                if env.now < t:
                    yield env.timeout(t - env.now)
                while rate > 0:
                    gap = rng.expovariate(rate)
                    if env.now + gap >= day * DAY + end:
                        break
                    yield env.timeout(gap)
                    pick, total, q = rng.random(), 0.0, len(shares) - 1
                    for i, share in enumerate(shares):
                        total += share
                        if pick < total:
                            q = i
                            break
                    priority = rng.random() < priority_share
                    next_id += 1
                    visitor = {"id": next_id, "queue": q, "arrived": env.now, "priority": priority, "service": draw(services[q])}
                    idle = [w for w in windows if w["idle"] and q in w["serves"]]
                    if idle:
                        chosen = min(idle, key=lambda w: (w["green"] != priority, len(w["serves"]), w["id"]))
                        chosen["idle"] = False
                        chosen["wake"].succeed(visitor)
                    else:
                        lanes[q][1 if priority else 0].append(visitor)

    for window in windows:
        env.process(window_process(window))
    env.process(arrivals())
    started = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - started
    waits.sort()
    report = {
        "simpy": simpy.__version__,
        "seconds": seconds,
        "visitors": len(waits),
        "wait_mean": sum(waits) / len(waits),
        "wait_p90": waits[max(0, math.ceil(0.9 * len(waits)) - 1)],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
