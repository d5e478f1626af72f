"""The AWS CDK app that deploys connect-chat: one construct per module, composed by ``infra.stack``.

The stack is built from the deployment contract the functions ship with (``lambdas/common/contract.py``), so
the function code's folder goes on the import path.
"""

from __future__ import annotations

import sys
from pathlib import Path

_FUNCTION_CODE = str(Path(__file__).resolve().parents[1] / "lambdas")
if _FUNCTION_CODE not in sys.path:
    sys.path.append(_FUNCTION_CODE)
