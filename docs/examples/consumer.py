#!/usr/bin/env python3
"""Consume Tamis outcome events: the integrator example of docs/integrators.md.

Binds a durable queue to the events exchange, parses every message with the official CloudEvents
SDK (structured JSON mode), skips the events it has already handled (delivery is at least once:
deduplicate on the event id), handles the rest, and acknowledges each message only after handling
it. Prints each new event as one JSON line on stdout.

    pip install pika cloudevents
    python3 consumer.py --url amqp://guest:guest@localhost:5672/%2f \\
        --exchange tamis.events --queue case-system.tamis --bind 'document.*.payslip' --bind 'document.rejected.#'
"""
import argparse
import sys

import pika
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq
from cloudevents.core.formats.json import JSONFormat


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="amqp://guest:guest@localhost:5672/%2f", help="AMQP URL of the broker")
    p.add_argument("--exchange", default="tamis.events", help="Tamis's events exchange ({prefix}.events)")
    p.add_argument("--queue", required=True, help="your queue (durable quorum queue, declared if missing)")
    p.add_argument("--bind", action="append", default=[], help="routing key pattern (default: document.#)")
    p.add_argument("--max-events", type=int, default=0, help="stop after this many new events (0: never)")
    p.add_argument("--idle-timeout", type=float, default=0, help="stop after this many seconds without a message")
    return p.parse_args()


def handle(event):
    """Your business logic. Here: print the event, as the SDK writes it back, on one line."""
    kind = event.get_type()  # e.g. fr.tamis.document.accepted.v1
    data = event.get_data()  # the outcome (or, for received, the file's facts)
    case = event.get_extension("caseid")  # None when the file came without a case id
    assert kind.startswith("fr.tamis.document.") and data["document_id"] == event.get_subject()
    assert case is None or data.get("case_id") == case
    print(JSONFormat().write(event).decode("utf-8"), flush=True)


def main():
    args = parse_args()
    connection = pika.BlockingConnection(pika.URLParameters(args.url))
    channel = connection.channel()
    channel.exchange_declare(exchange=args.exchange, exchange_type="topic", durable=True)
    channel.queue_declare(queue=args.queue, durable=True, arguments={"x-queue-type": "quorum"})
    for key in args.bind or ["document.#"]:
        channel.queue_bind(queue=args.queue, exchange=args.exchange, routing_key=key)
    channel.basic_qos(prefetch_count=20)

    seen = set()  # A real consumer keeps handled event ids in its database, with its own writes.
    handled = 0
    for method, properties, body in channel.consume(args.queue, inactivity_timeout=args.idle_timeout or None):
        if method is None:  # inactivity timeout
            break
        message = RabbitMQMessage(
            headers={k: str(v) for k, v in (properties.headers or {}).items()},
            content_type=properties.content_type,
            body=body,
        )
        event = from_rabbitmq(message, JSONFormat())
        if event.get_id() not in seen:
            handle(event)
            seen.add(event.get_id())
            handled += 1
        channel.basic_ack(method.delivery_tag)
        if args.max_events and handled >= args.max_events:
            break
    channel.cancel()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
