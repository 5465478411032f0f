"""Schemathesis hooks for the endorse contract run."""

import re
import uuid

import schemathesis
from hypothesis.internal import lambda_sources

# CPython 3.11 before 3.11.8 can raise "SystemError: AST constructor recursion depth
# mismatch" from ast.parse in a worker thread (python/cpython#106905). Hypothesis parses
# a lambda's source only to name it in messages; fall back to a plain name instead of
# letting the interpreter bug abort a test case. API behaviour is not affected.
_describe_lambda = lambda_sources.lambda_description


def _safe_lambda_description(f):
    try:
        return _describe_lambda(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _safe_lambda_description

# The documented shape of a key: 1-255 visible ASCII characters.
VALID_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # The API stores a POST's first outcome per Idempotency-Key and answers 422 when the
    # same key comes back with another body (design.md). Schemathesis reuses one example
    # key across cases, which would test that rule instead of the operation: give every
    # call a fresh key when it carries a valid one, and leave invalid keys (negative
    # cases) as generated.
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.match(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
        case.headers = headers
