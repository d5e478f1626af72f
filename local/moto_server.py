"""moto's server as the local stack runs it: in its own process, DynamoDB atomic, TTL applied.

``python -m local.moto_server --port 3003`` serves moto (DynamoDB, SNS, S3, ...) like ``moto_server`` does, with
two differences that make it behave like the services it stands in for over a long run:

* **DynamoDB requests run one at a time.** moto's TransactWriteItems deep-copies the table to roll back, so
  concurrent writers lose each other's writes or fail with HTTP 500; DynamoDB itself is atomic per request.
* **Items past their TTL are deleted** by a sweeper (every ``--sweep-seconds``). moto stores a table's TTL
  setting but never applies it, so the local stack would otherwise grow without bound. (DynamoDB deletes expired
  items within days; the handlers check expiry when they read, so neither depends on the sweep.)
* **moto's memory of the past is dropped** at each sweep: it keeps every model object it ever made (a DynamoDB
  update alone makes a copy of the item; a transaction, of the table) for its dashboard, every notification an
  SNS topic published for tests to inspect, and the signing certificate of every HTTP notification (one per
  notification). Nothing in the local stack reads the first two, and only the latest certificates can still be
  asked for; over a long run they are most of the process's memory.

It exits when the process that started it does (``--parent-pid``), so a killed stack leaves nothing behind.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from local import cli

PROG = "python -m local.moto_server"
READY = "moto ready on"
_log = logging.getLogger("local.moto_server")
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def serialize_dynamodb(app: WsgiApp, lock: threading.Lock) -> WsgiApp:
    """Wrap a WSGI app so that DynamoDB requests (``X-Amz-Target: DynamoDB_…``) run one at a time."""

    def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        with lock:
            return list(app(environ, start_response))  # the whole answer is produced under the lock

    return serialized


def sweep_expired(now: float | None = None) -> int:
    """Delete every DynamoDB item whose TTL attribute lies in the past, in every table with TTL enabled."""
    from moto.dynamodb.models import dynamodb_backends

    cutoff = time.time() if now is None else now
    deleted = 0
    for account in list(dynamodb_backends.values()):
        for backend in list(account.values()):
            for table in list(backend.tables.values()):
                ttl = getattr(table, "ttl", None) or {}
                if ttl.get("TimeToLiveStatus") != "ENABLED":
                    continue
                attribute = str(ttl.get("AttributeName"))
                for item in table.all_items():
                    value = item.attrs.get(attribute)
                    if value is None or value.type != "N" or float(value.value) >= cutoff:
                        continue
                    table.delete_item(item.hash_key, item.range_key)
                    deleted += 1
    return deleted


#: The services whose tracked objects moto itself reads back (S3 disposes of its keys' buffers on reset).
_TRACKING_KEPT = frozenset({"s3"})
#: Signing certificates kept for the latest notifications (a subscriber checking a signature fetches it at once).
SIGNING_CERTIFICATES_KEPT = 1000


def forget_history() -> int:
    """Drop what moto remembers only for inspection: tracked model objects, SNS topics' sent notifications, and
    the signing certificates of all but the latest ``SIGNING_CERTIFICATES_KEPT`` notifications.

    Returns
    -------
    int
        How many references were dropped.
    """
    from moto.core.model_instances import model_data
    from moto.sns.models import sns_backends

    dropped = 0
    for service, models in list(model_data.items()):
        if service in _TRACKING_KEPT:
            continue
        for model in list(models.values()):
            tracked = getattr(model, "instances_tracked", None)
            if tracked:
                dropped += len(tracked)
                tracked.clear()
    for account in list(sns_backends.values()):
        for backend in list(account.values()):
            for topic in list(backend.topics.values()):
                dropped += len(topic.sent_notifications)
                topic.sent_notifications.clear()
            certificates = getattr(backend, "_message_public_keys", {})
            for name in list(certificates)[:-SIGNING_CERTIFICATES_KEPT]:
                certificates.pop(name, None)
                dropped += 1
    return dropped


def _sweep_forever(lock: threading.Lock, interval: float) -> None:
    while True:
        time.sleep(interval)
        try:
            with lock:
                deleted = sweep_expired()
                forget_history()
            if deleted:
                _log.info("TTL sweep deleted %d expired items", deleted)
        except Exception:  # a sweep must never take the server down
            _log.exception("TTL sweep failed")


def _exit_with_parent(parent_pid: int) -> None:
    while True:
        time.sleep(1)
        if os.getppid() != parent_pid:
            os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = cli.OneLineParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", type=cli.host, default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=cli.port, default=3003, help="port (default 3003)")
    parser.add_argument(
        "--sweep-seconds", type=cli.positive_seconds, default=30.0, help="TTL sweep interval (default 30)"
    )
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when the process with this id is gone")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server, select_address_family

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    lock = threading.Lock()
    app = serialize_dynamodb(DomainDispatcherApplication(create_backend_app), lock)
    # Listening here rather than in werkzeug (which prints its own message and exits): one wording for every server.
    family = select_address_family(args.host, args.port)
    try:
        address = socket.getaddrinfo(args.host, args.port, family, socket.SOCK_STREAM)[0][4]
        listener = socket.create_server(address, family=family)
    except OSError as exc:
        cli.fail(PROG, cli.cannot_listen(args.host, args.port, exc, ("--port", "--host")))
    with listener:
        server = make_server(
            args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler, fd=listener.fileno()
        )
    threading.Thread(target=_sweep_forever, args=(lock, args.sweep_seconds), daemon=True).start()
    if args.parent_pid:
        threading.Thread(target=_exit_with_parent, args=(args.parent_pid,), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"{READY} http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
