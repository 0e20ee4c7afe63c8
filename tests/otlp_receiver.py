#!/usr/bin/env python3
"""A capturing OTLP/HTTP receiver for the tests (a stand-in for an OpenTelemetry collector).

Listens on 127.0.0.1 (a free port, printed on the first line of stdout) and decodes, with the
official opentelemetry-proto package, every ExportTraceServiceRequest POSTed to /v1/traces
(one JSON line per span appended to OUT) and every ExportMetricsServiceRequest POSTed to
/v1/metrics (one JSON line per data point appended to OUT.metrics); bodies are protobuf,
optionally gzip. The raw request bodies of both are appended to OUT.raw, so a test can also
search the bytes as sent.

Usage: otlp_receiver.py OUT
"""
import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def value(v):
    """An OTLP AnyValue as plain JSON."""
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value(kv.value) for kv in v.kvlist_value.values}
    if kind == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, kind)


def attributes(kvs):
    return {kv.key: value(kv.value) for kv in kvs}


def data_points(metric):
    """One plain-JSON record per data point of an OTLP Metric."""
    kind = metric.WhichOneof("data")
    points = getattr(metric, kind).data_points
    for p in points:
        rec = {"kind": kind, "attributes": attributes(p.attributes)}
        if kind == "histogram":
            rec.update(count=p.count, sum=p.sum, bounds=list(p.explicit_bounds), buckets=list(p.bucket_counts))
        elif kind in ("sum", "gauge"):
            rec["value"] = getattr(p, p.WhichOneof("value"))
            if kind == "sum":
                rec["monotonic"] = metric.sum.is_monotonic
                rec["temporality"] = metric.sum.aggregation_temporality
        yield rec


def metric_lines(body):
    """The data points of an ExportMetricsServiceRequest, as plain-JSON records."""
    request = ExportMetricsServiceRequest()
    request.ParseFromString(body)
    for rm in request.resource_metrics:
        resource = attributes(rm.resource.attributes)
        for metric in (m for sm in rm.scope_metrics for m in sm.metrics):
            for rec in data_points(metric):
                yield {"name": metric.name, "unit": metric.unit, "service": resource.get("service.name"), **rec}


def span_lines(body):
    """The spans of an ExportTraceServiceRequest, as plain-JSON records."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    for rs in request.resource_spans:
        resource = attributes(rs.resource.attributes)
        for span in (s for ss in rs.scope_spans for s in ss.spans):
            yield {
                "trace_id": span.trace_id.hex(),
                "span_id": span.span_id.hex(),
                "parent_span_id": span.parent_span_id.hex(),
                "name": span.name,
                "kind": KINDS.get(span.kind, str(span.kind)),
                "service": resource.get("service.name"),
                "attributes": attributes(span.attributes),
                "events": [{"name": e.name, "attributes": attributes(e.attributes)} for e in span.events],
                "links": [{"trace_id": l.trace_id.hex(), "span_id": l.span_id.hex()} for l in span.links],
                "status": span.status.code,
            }


def main():
    out_path = sys.argv[1]
    raw = open(out_path + ".raw", "ab", buffering=0)
    # path -> (decoder, output file, empty reply)
    routes = {
        "/v1/traces": (span_lines, open(out_path, "a", buffering=1, encoding="utf-8"), ExportTraceServiceResponse()),
        "/v1/metrics": (
            metric_lines,
            open(out_path + ".metrics", "a", buffering=1, encoding="utf-8"),
            ExportMetricsServiceResponse(),
        ),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path not in routes:
                self.send_error(404)
                return
            decode, out, reply = routes[self.path]
            raw.write(body)
            for line in decode(body):
                out.write(json.dumps(line) + "\n")
            self.reply(reply.SerializeToString())

        def reply(self, reply):
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
