"""Sends one span the way tracepusher (agardnerIT/tracepusher, a CLI with no package on the
registries here) does: one OTLP/HTTP JSON request, built by hand, to ENDPOINT/v1/traces.

The request shape follows tracepusher's documentation and published source; this is a model
of it written for these tests, with the flags a CI script uses:

- ids are hex strings (`--trace-id` 32, `--span-id` 16 characters, generated when absent),
  sent as given, so the upper-case hex its docs make with hexdump arrives as is;
  `--parent-span-id` adds `parentSpanId`;
- times are `start_time_unix_nano` / `end_time_unix_nano` (proto names, snake_case): JSON
  numbers, except a `--start-time` given as a date, which goes out as a 19-digit string;
  `--duration` in `--duration-type` s (default) or ms; `--time-shift True` moves both back by
  the duration, so a step that already ran ends now;
- `kind` is the enum's name (`SPAN_KIND_INTERNAL` by default, `--span-kind SERVER` …);
  `status.code` is a number (OK 1 by default, ERROR 2, anything else UNSET 0);
- `--span-attributes key=value[=type]` gives `{"key": k, "value": {type: "value"}}`, the value
  always a JSON string (type `stringValue` unless named, e.g. `intValue`, `doubleValue`);
  `droppedAttributesCount` counts malformed ones; `--span-events
  offsetMillis=name=key=value[=type]` gives events at start + offset, `timeUnixNano` a number;
- resource: `service.name` only; scope name `manual-test`.

Prints {"traceId", "spanId", "start", "end", "status"} and exits 1 unless ciotel answered 200.

Usage: python tracepusher_requests.py --endpoint http://host:port --service-name S
       --span-name N --duration D [flags above]
"""

import argparse
import datetime
import json
import secrets
import sys
import time
import urllib.error
import urllib.request

KINDS = ("INTERNAL", "CLIENT", "SERVER", "CONSUMER", "PRODUCER")


def typed_value(parts):
    """`{type: value}` from `[value]` (a string) or `[value, type]`."""
    if len(parts) == 1:
        return {"stringValue": parts[0]}
    return {parts[1]: parts[0]}


def attributes(specs):
    """Span attributes from key=value[=type] specs, and how many were malformed."""
    out, dropped = [], 0
    for spec in specs or []:
        parts = spec.split("=")
        if len(parts) not in (2, 3):
            dropped += 1
            continue
        out.append({"key": parts[0], "value": typed_value(parts[1:])})
    return out, dropped


def events(specs, start):
    """Span events from offsetMillis=name=key=value[=type] specs, timed from `start`."""
    out = []
    for spec in specs or []:
        parts = spec.split("=")
        if len(parts) not in (4, 5):
            continue
        offset, name, key = parts[0], parts[1], parts[2]
        out.append(
            {
                "timeUnixNano": start + int(offset) * 1_000_000,
                "name": name,
                "attributes": [{"key": key, "value": typed_value(parts[3:])}],
            }
        )
    return out


def start_time(text):
    """A 19-digit nanosecond number as an int, a `%Y-%m-%dT%H:%M:%S.%fZ` date as a 19-digit
    string (as tracepusher sends it), or None for now."""
    if not text:
        return None
    if len(text) == 19 and text.isdigit():
        return int(text)
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    micros = (moment - datetime.datetime(1970, 1, 1)).total_seconds() * 1_000_000
    return "{:.0f}000".format(micros)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-ep", "--endpoint", required=True)
    p.add_argument("-sen", "--service-name", required=True)
    p.add_argument("-spn", "--span-name", required=True)
    p.add_argument("-dur", "--duration", required=True, type=int)
    p.add_argument("-dt", "--duration-type", default="s", choices=("s", "ms"))
    p.add_argument("-ts", "--time-shift", default="False")
    p.add_argument("-psid", "--parent-span-id", default="")
    p.add_argument("-tid", "--trace-id", default="")
    p.add_argument("-sid", "--span-id", default="")
    p.add_argument("-spnattrs", "--span-attributes", nargs="*")
    p.add_argument("-spnevnts", "--span-events", nargs="*")
    p.add_argument("-sk", "--span-kind", default="INTERNAL")
    p.add_argument("-ss", "--span-status", default="OK")
    p.add_argument("-st", "--start-time", default="")
    args = p.parse_args()

    trace_id = args.trace_id or secrets.token_hex(16)
    span_id = args.span_id or secrets.token_hex(8)
    kind = args.span_kind.upper()
    kind = "SPAN_KIND_INTERNAL" if kind == "UNSPECIFIED" else f"SPAN_KIND_{kind}"
    if kind.removeprefix("SPAN_KIND_") not in KINDS:
        sys.exit(f"invalid span kind {args.span_kind}")
    status = {"ok": 1, "error": 2}.get(args.span_status.lower(), 0)
    duration = args.duration * (1_000_000 if args.duration_type == "ms" else 1_000_000_000)

    start = start_time(args.start_time)
    if start is None:
        start = time.time_ns()
        if args.time_shift.lower() == "true":
            start -= duration
    end = int(start) + duration

    attrs, dropped = attributes(args.span_attributes)
    span = {
        "traceId": trace_id,
        "spanId": span_id,
        "name": args.span_name,
        "kind": kind,
        "start_time_unix_nano": start,
        "end_time_unix_nano": end,
        "droppedAttributesCount": dropped,
        "attributes": attrs,
        "events": events(args.span_events, int(start)),
        "droppedEventsCount": 0,
        "status": {"code": status},
    }
    if args.parent_span_id:
        span["parentSpanId"] = args.parent_span_id
    body = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        {"key": "service.name", "value": {"stringValue": args.service_name}}
                    ]
                },
                "scopeSpans": [{"scope": {"name": "manual-test"}, "spans": [span]}],
            }
        ]
    }
    request = urllib.request.Request(
        f"{args.endpoint}/v1/traces",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            code, answer = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        code, answer = err.code, err.read().decode()
    print(
        json.dumps(
            {"traceId": trace_id, "spanId": span_id, "start": int(start), "end": end, "status": code}
        )
    )
    if code != 200:
        sys.exit(f"ciotel answered {code}: {answer}")


if __name__ == "__main__":
    main()
