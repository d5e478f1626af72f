"""The local HTTP server: the widget demo page, ``POST /start-chat``, and the SNS delivery endpoint."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

from common import contract
from local import ROOT
from local.lambda_runtime import Handler, invoke

if TYPE_CHECKING:
    from local.auth_fakes import AuthFakes

logger = logging.getLogger(__name__)
WIDGET_DIR = ROOT / "widget"
#: The WebSocket URL written in the demo page; replaced by the running gateway's URL when it differs.
DEMO_WEBSOCKET_URL = "ws://127.0.0.1:3001/local"
#: SNS delivers streaming notifications under this prefix plus a secret made for each run: nothing else on the
#: machine can post a forged item to the customer (the subscription's URL is known only to SNS, here moto).
SNS_PREFIX = "/_sns/"


def new_sns_path() -> str:
    """A path under :data:`SNS_PREFIX` holding a new secret."""
    return SNS_PREFIX + secrets.token_urlsafe(24)


class LocalWebServer:
    """Serves the widget, runs the start-chat handler, and delivers SNS notifications to the stream handler."""

    #: The local identity and challenge fakes, served under ``/_local/`` when set.
    fakes: AuthFakes | None = None

    def __init__(
        self,
        handlers: dict[str, Handler],
        *,
        websocket_url: str,
        host: str = "127.0.0.1",
        port: int = 3000,
        sns_path: str | None = None,
    ) -> None:
        self.handlers = handlers
        self.websocket_url = websocket_url
        self.host = host
        self.port = port
        self.sns_path = sns_path or new_sns_path()
        self.deliveries: set[asyncio.Task[None]] = set()
        self.delivered = 0
        self.widget_files: web.AbstractResource | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.index)
        for route in contract.HTTP_ROUTES:
            app.router.add_route(route.method, route.path, self.http_route(route.function_id))
            app.router.add_route("OPTIONS", route.path, self.http_route(route.function_id))
        app.router.add_post(self.sns_path, self.sns_notification)
        if self.fakes is not None:
            self.fakes.register(app)
        if WIDGET_DIR.is_dir():
            self.widget_files = app.router.add_static("/", WIDGET_DIR, show_index=False)
            app.on_response_prepare.append(self._widget_file_headers)
        app.on_shutdown.append(self._finish_deliveries)
        return app

    async def _widget_file_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """Let pages on any origin load the widget: its ES modules are fetched in CORS mode.

        Module scripts need a JavaScript MIME type and, from another origin, ``Access-Control-Allow-Origin``;
        ``Cross-Origin-Resource-Policy`` lets pages that require it (COEP) embed the files too.
        """
        if request.match_info.route.resource is not self.widget_files:
            return
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.path.endswith((".js", ".mjs")):
            response.headers["Content-Type"] = "text/javascript; charset=utf-8"

    async def index(self, request: web.Request) -> web.Response:
        page = WIDGET_DIR / "index.html"
        if not page.exists():
            return web.Response(text="connect-chat local stack: the widget is not installed", content_type="text/plain")
        html = page.read_text().replace(DEMO_WEBSOCKET_URL, self.websocket_url)
        return web.Response(text=html, content_type="text/html")

    def http_route(self, function_id: str) -> Any:
        async def handle(request: web.Request) -> web.Response:
            event = await http_api_event(request)
            answer = await invoke(self.handlers[function_id], event, function_id)
            body = answer.get("body") or ""
            data = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
            return web.Response(status=int(answer.get("statusCode", 200)), body=data, headers=answer.get("headers"))

        return handle

    async def sns_notification(self, request: web.Request) -> web.Response:
        """SNS's HTTP delivery: answered at once, handled like SNS's asynchronous Lambda invocation."""
        try:
            notification = json.loads(await request.read())
        except json.JSONDecodeError:
            return web.Response(status=400, text="not JSON")
        if notification.get("Type") != "Notification":
            return web.Response(status=200)
        task = asyncio.get_running_loop().create_task(self._deliver(notification))
        self.deliveries.add(task)
        task.add_done_callback(self.deliveries.discard)
        return web.Response(status=200)

    async def _deliver(self, notification: dict[str, Any]) -> None:
        event = {"Records": [sns_event_record(notification)]}
        try:
            await invoke(self.handlers[contract.STREAM_FUNCTION], event, contract.STREAM_FUNCTION)
            self.delivered += 1
        except Exception:
            logger.exception("The stream handler failed on notification %s", notification.get("MessageId"))

    async def _finish_deliveries(self, app: web.Application) -> None:
        if self.deliveries:
            await asyncio.wait(self.deliveries, timeout=5)


def sns_event_record(notification: dict[str, Any]) -> dict[str, Any]:
    """A Lambda SNS event record from an SNS HTTP notification."""
    topic_arn = notification.get("TopicArn", "")
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
        "Sns": {
            "Type": "Notification",
            "MessageId": notification.get("MessageId", str(uuid.uuid4())),
            "TopicArn": topic_arn,
            "Subject": notification.get("Subject"),
            "Message": notification.get("Message", ""),
            "Timestamp": notification.get("Timestamp"),
            "SignatureVersion": notification.get("SignatureVersion", "1"),
            "Signature": notification.get("Signature", ""),
            "SigningCertUrl": notification.get("SigningCertURL", "https://sns.amazonaws.com/cert.pem"),
            "UnsubscribeUrl": notification.get("UnsubscribeURL", "https://sns.amazonaws.com/unsubscribe"),
            "MessageAttributes": notification.get("MessageAttributes", {}),
        },
    }


async def http_api_event(request: web.Request) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event for ``request``."""
    body = await request.read()
    try:
        text, encoded = body.decode(), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    now = int(time.time() * 1000)
    route_key = f"{request.method} {request.path}"
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.query_string,
        "headers": {key.lower(): value for key, value in request.headers.items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "localhttp",
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": f"HTTP/{request.version.major}.{request.version.minor}",
                "sourceIp": request.remote or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now / 1000)),
            "timeEpoch": now,
        },
        "body": text,
        "isBase64Encoded": encoded,
    }
