"""Shared by the client scripts: command-line arguments, and a record of exactly what the SDK's
OTLP exporter sent, printed as OTLP/JSON for the Rust test to compare with what ciotel wrote.

Each script wraps the real OTLP exporter (gRPC or HTTP/protobuf) in a recording exporter. For
every export it keeps the request the exporter put on the wire (the SDK's own protobuf encoder),
rendered as OTLP/JSON by protobuf's reference JSON mapping: lowerCamelCase keys, integer enums,
64-bit integers as strings, defaults left out, bytes as base64 except trace and span ids, which
OTLP/JSON writes as hex. At the end it prints one line

    CIOTEL-TEST-SENT [request, request, ...]

and exits 1 if any export failed (or nothing was exported), so a refused or lost request fails
the test instead of passing silently.

Usage: python <script> grpc|http <endpoint: http://host:port> [gzip|none]
"""

import base64
import json
import sys

from google.protobuf.json_format import MessageToDict

MARKER = "CIOTEL-TEST-SENT "

# Bytes fields that OTLP/JSON writes as hex rather than protobuf JSON's base64.
_ID_KEYS = {"traceId", "spanId", "parentSpanId"}


def parse_args():
    """Returns (protocol, endpoint, gzip?) from the command line."""
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("grpc", "http"):
        sys.exit(f"usage: {sys.argv[0]} grpc|http http://host:port [gzip|none]")
    compression = sys.argv[3] if len(sys.argv) == 4 else "none"
    if compression not in ("gzip", "none"):
        sys.exit(f"unknown compression {compression!r}")
    return sys.argv[1], sys.argv[2].rstrip("/"), compression == "gzip"


def grpc_compression(gzip):
    import grpc

    return grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression


def http_compression(gzip):
    from opentelemetry.exporter.otlp.proto.http import Compression

    return Compression.Gzip if gzip else Compression.NoCompression


def otlp_json(message):
    """A protobuf request as OTLP/JSON (a dict), ids in hex."""
    return _hex_ids(MessageToDict(message, use_integers_for_enums=True))


def _hex_ids(value):
    if isinstance(value, dict):
        return {
            k: base64.b64decode(v).hex() if k in _ID_KEYS and isinstance(v, str) else _hex_ids(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_hex_ids(v) for v in value]
    return value


class Recorder:
    """What was exported, and whether every export succeeded."""

    def __init__(self):
        self.requests = []
        self.failures = 0

    def record(self, request, ok):
        self.requests.append(otlp_json(request))
        if not ok:
            self.failures += 1

    def finish(self):
        """Prints the record; exits non-zero when an export failed or nothing was exported."""
        print(MARKER + json.dumps(self.requests, allow_nan=False), flush=True)
        if self.failures:
            sys.exit(f"{self.failures} of {len(self.requests)} export(s) failed")
        if not self.requests:
            sys.exit("nothing was exported")
