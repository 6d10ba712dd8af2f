"""Test data for .ci/fuzz that a schema cannot carry, as the path ids in its schemathesis.toml are.

An Idempotency-Key names one request: a client that sends a new request sends a new key. The fuzzer draws
keys from a small space and would reuse one for a different request, which the server rightly refuses
(422). A key the fuzzer drew as valid gets a unique suffix; a key drawn to be invalid is sent as drawn.
"""
import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.match(key):
        case.headers["Idempotency-Key"] = (key[:222] + "." + uuid.uuid4().hex)[:255]
