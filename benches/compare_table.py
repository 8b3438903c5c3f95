"""benches/compare's table: reads the runs (one line per run: round, scenario, label, then
key=value fields from the load driver and the server's /proc samples) and prints, per scenario,
the median of each figure over the rounds and the median of the per-round ratios with their
range. Usage: compare_table.py RESULTS.tsv DURATION ROUNDS."""

import statistics
import sys


def parse(path):
    runs = {}  # (scenario, label) -> {round: values}
    for line in open(path):
        round_, scenario, label, *fields = line.rstrip("\n").split("\t")
        values = {}
        for field in " ".join(fields).split():
            key, _, value = field.partition("=")
            try:
                values[key] = float(value)
            except ValueError:
                values[key] = value
        seconds = values.get("seconds") or 0
        done = values.get("spans_per_s", 0) * seconds
        if done:
            values["cpu_ns_per_span"] = values["cpu_s"] / done * 1e9
        if values.get("accepted"):
            values["cpu_ns_per_request"] = values["cpu_s"] / values["accepted"] * 1e9
        if seconds:
            values["cpu_share"] = values["cpu_s"] / seconds * 100
            values["driver_share"] = values.get("driver_cpu_s", 0) / seconds * 100
        runs.setdefault((scenario, label), {})[int(round_)] = values
    return runs


def fmt(v, unit):
    if v is None:
        return "–"
    return {
        "MiB": lambda: f"{v / 1024:.1f} MiB",
        "µs": lambda: f"{v:,.0f} µs",
        "ns": lambda: f"{v:,.0f} ns",
        "ms": lambda: f"{v / 1000:.2f} ms",
        "%": lambda: f"{v:.0f} %",
    }.get(unit, lambda: f"{v:,.0f}")()


def main():
    runs = parse(sys.argv[1])
    duration, rounds = sys.argv[2], sys.argv[3]

    def series(scenario, label, key):
        by_round = runs.get((scenario, label), {})
        return {r: v[key] for r, v in by_round.items() if isinstance(v.get(key), float)}

    def median(scenario, label, key):
        s = series(scenario, label, key)
        return statistics.median(s.values()) if s else None

    def ratio(scenario, a, b, key):
        sa, sb = series(scenario, a, key), series(scenario, b, key)
        ratios = [sa[r] / sb[r] for r in sa if r in sb and sb[r]]
        if not ratios:
            return "–"
        med = statistics.median(ratios)
        if len(ratios) == 1:
            return f"{med:.2f}"
        return f"{med:.2f} ({min(ratios):.2f}–{max(ratios):.2f})"

    lines = []

    def row(scenario, label, key, unit, a, b, note=""):
        if (scenario, a) not in runs and (scenario, b) not in runs:
            return
        va, vb = median(scenario, a, key), median(scenario, b, key)
        lines.append(
            f"| {label} | {fmt(va, unit)} | {fmt(vb, unit)} | {ratio(scenario, a, b, key)} | {note} |"
        )

    vs_rotel = ("ciotel", "rotel")
    s = "saturation"
    row(s, "1. saturation, gRPC 512-span requests, 32 in flight: spans/s", "spans_per_s", "", *vs_rotel, "higher is better")
    row(s, "1. saturation: server CPU per span", "cpu_ns_per_span", "ns", *vs_rotel, "lower is better")
    row(s, "1. saturation: server CPU (of one core)", "cpu_share", "%", *vs_rotel)
    row(s, "1. saturation: peak RSS", "peak_rss_kib", "MiB", *vs_rotel)
    row(s, "1. saturation: request latency p99", "p99_us", "ms", *vs_rotel)
    s = "ci_pipeline"
    row(s, "2. full CI pipeline vs ciotel pass-through (same load): spans/s", "spans_per_s", "", "ci", "passthrough", "ciotel only; target ≥ 0.8")
    row(s, "2. full CI pipeline vs pass-through: CPU per span", "cpu_ns_per_span", "ns", "ci", "passthrough", "ciotel only")
    s = "routing"
    row(s, "2b. routing by owner (3 exporters, queues in memory) vs full CI pipeline: spans/s", "spans_per_s", "", "routing", "ci", "ciotel only")
    row(s, "2b. routing vs full CI pipeline: CPU per span", "cpu_ns_per_span", "ns", "routing", "ci", "ciotel only")
    row(s, "2b. routing vs full CI pipeline: peak RSS", "peak_rss_kib", "MiB", "routing", "ci", "ciotel only")
    s = "gateway"
    row(s, "2c. the same routing with queues on disk vs in memory: spans/s", "spans_per_s", "", "disk", "memory", "ciotel only")
    row(s, "2c. queues on disk vs in memory: CPU per span", "cpu_ns_per_span", "ns", "disk", "memory", "ciotel only")
    row(s, "2c. queues on disk vs in memory: peak RSS", "peak_rss_kib", "MiB", "disk", "memory", "ciotel only")
    s = "one_at_a_time_512"
    row(s, "3. 512-span requests one at a time: spans/s", "spans_per_s", "", *vs_rotel, "target ≥ 5")
    row(s, "3. 512-span requests one at a time: latency p50", "p50_us", "µs", *vs_rotel)
    row(s, "3. 512-span requests one at a time: latency p99", "p99_us", "µs", *vs_rotel)
    s = "one_at_a_time_1"
    row(s, "4. 1-span requests one at a time: requests/s", "requests_per_s", "", *vs_rotel, "target ≥ 3")
    row(s, "4. 1-span requests one at a time: latency p50", "p50_us", "µs", *vs_rotel)
    row(s, "4. 1-span requests one at a time: latency p99", "p99_us", "µs", *vs_rotel, "target < 2 ms")
    row(s, "4. 1-span requests: server CPU per request", "cpu_ns_per_request", "ns", *vs_rotel)
    row(s, "4. 1-span requests: driver CPU (of one core)", "driver_share", "%", *vs_rotel)
    s = "http_proto_4"
    row(s, "5. OTLP/HTTP protobuf, 4 senders: spans/s", "spans_per_s", "", *vs_rotel, "target ≥ 1")
    row(s, "5. OTLP/HTTP protobuf, 4 senders: CPU per span", "cpu_ns_per_span", "ns", *vs_rotel)
    row(s, "5. OTLP/HTTP protobuf, 4 senders: peak RSS", "peak_rss_kib", "MiB", *vs_rotel, "target ≤ 100 MiB")
    idle = [(s, l) for (s, l) in runs if l in vs_rotel and s != "webhooks"]
    if idle:
        vals = {l: [v["idle_rss_kib"] for (s2, l2) in idle if l2 == l for v in runs[(s2, l2)].values()] for l in vs_rotel}
        c = statistics.median(vals["ciotel"]) if vals["ciotel"] else None
        r = statistics.median(vals["rotel"]) if vals["rotel"] else None
        rt = f"{c / r:.2f}" if c and r else "–"
        lines.append(f"| 6. idle RSS 1 s after start (every run) | {fmt(c, 'MiB')} | {fmt(r, 'MiB')} | {rt} | target ≤ 15 MiB |")
    if ("webhooks", "ciotel") in runs:
        s = "webhooks"
        d, p99, peak = median(s, "ciotel", "requests_per_s"), median(s, "ciotel", "p99_us"), median(s, "ciotel", "peak_rss_kib")
        spread = series(s, "ciotel", "requests_per_s").values()
        rng = f" ({fmt(min(spread), '')}–{fmt(max(spread), '')})" if len(spread) > 1 else ""
        lines.append(f"| 7. signed workflow_job webhooks (8 steps), 4 senders: deliveries/s | {fmt(d, '')}{rng} | – | – | ciotel only; p99 {fmt(p99, 'ms')}; target ≥ 20k |")
        lines.append(f"| 7. webhooks: server CPU per delivery | {fmt(median(s, 'ciotel', 'cpu_ns_per_request'), 'ns')} | – | – | peak RSS {fmt(peak, 'MiB')} |")

    print(f"{rounds} round(s), runs of {duration} each, loopback, one driver process beside the server;")
    print("figures are medians over the rounds, ratios the median of each round's ratio (range).\n")
    print("| scenario | ciotel | rotel / baseline | ratio | |")
    print("| --- | ---: | ---: | ---: | --- |")
    print("\n".join(lines))
    print()
    refusals = [
        f"{s}/{l} round {r}: {v['refusals']}"
        for (s, l), by_round in runs.items()
        for r, v in sorted(by_round.items())
        if v.get("refusals") not in (None, "none")
    ]
    print("Refusals: " + ("; ".join(refusals) if refusals else "none"))
    shares = {}
    for (s, l), by_round in runs.items():
        vals = [v["driver_share"] for v in by_round.values() if "driver_share" in v]
        if vals:
            shares[f"{s}/{l}"] = statistics.median(vals)
    print("Driver CPU share (of one core), median per scenario: " + ", ".join(f"{k} {v:.0f} %" for k, v in shares.items()))


if __name__ == "__main__":
    main()
