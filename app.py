#!/usr/bin/env python3
"""The CDK app: ``npx cdk deploy -c connectInstanceId=... -c contactFlowId=...``.

infra/README.md ("Deploy to your AWS account") lists the prerequisites and every context value.
"""

from __future__ import annotations

import sys

from infra.application import build
from infra.config import ConfigError
from infra.wheel_layer import LayerBuildError


def main() -> int:
    try:
        app, _stack = build()
    except (ConfigError, LayerBuildError) as error:
        print(f"connect-chat: {error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
