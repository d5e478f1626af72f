"""Running the deployed Lambda handlers in-process: import by handler path, invoke off the event loop."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


class LocalLambdaContext:
    """The context object a handler receives, with the attributes Powertools reads."""

    function_version = "$LATEST"
    memory_limit_in_mb = 256

    def __init__(self, function_name: str, region: str = "us-west-2", account: str = "123456789012") -> None:
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def load_handler(handler_path: str) -> Handler:
    """Import ``module.function`` from the Lambda code (on the path since ``local`` was imported)."""
    module_name, _, function_name = handler_path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), function_name)
    return handler


async def invoke(handler: Handler, event: dict[str, Any], function_name: str) -> Any:
    """Invoke a (synchronous) handler in a worker thread, so it can call servers on this event loop."""
    return await asyncio.to_thread(handler, event, LocalLambdaContext(function_name))
