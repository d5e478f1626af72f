"""The local stack: the Connect emulator, the API Gateway WebSocket emulator and the web server.

The deployed functions run here in-process, so the import path gets what Lambda puts on it: the function
code (``lambdas/``) and the layer (``layer/python``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What Lambda puts on the import path: the function code and the library layer.
CODE_PATHS = (ROOT / "lambdas", ROOT / "layer" / "python")

for _path in CODE_PATHS:
    if str(_path) not in sys.path:
        sys.path.append(str(_path))
