"""Test data for .ci/fuzz that a schema cannot carry, as the path ids in its schemathesis.toml are.

An Idempotency-Key names one request: a client that sends a new request sends a new key. The fuzzer draws
keys from a small space and would reuse one for a different request, which the server rightly refuses
(422). A key the fuzzer drew as valid gets a unique suffix; a key drawn to be invalid is sent as drawn.
Workspace names are unique in an organisation, so a valid one drawn twice would rightly be refused (409):
a name drawn as valid gets a unique suffix too.

A webhook's endpoint receives the server's deliveries, so a drawn one (`https://example.com/x`) would have
the server post off the machine. Every string `endpoint` in a body sent under /webhooks (POST /webhooks,
PATCH /webhooks/{webhook_id}) is replaced with FUZZ_WEBHOOK_ENDPOINT, the fake provider on loopback, in
negative cases too (schemathesis revalidates a case a hook edits); a non-string endpoint is sent as drawn.
Without the variable the hooks do not load, and nothing is sent.

authorize_url's `domain` is what the chosen `type` makes it (a Zendesk subdomain, a Zoho data centre, a
Dynamics 365 host), which a query parameter's schema cannot say: schemathesis.toml fixes it to `acme`, and
for the types that take another form it is sent as one of theirs.

A link that schemathesis infers from a nullable id (an audit event's `connect_link_id`) resolves to null,
sent as the path segment `None`, which the server rightly refuses as not an integer (400). Such a parameter
is sent as 0, an id nothing has, which is what following a link to nothing means (404).
"""
import os
import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[!-~]{1,255}$")
VALID_NAME = re.compile(r"^[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x1F\x7F-\x9F]*$")
WEBHOOK_ENDPOINT = os.environ["FUZZ_WEBHOOK_ENDPOINT"]
DOMAINS = {"zoho_crm": "eu", "microsoft_dynamics": "acme.crm.dynamics.com"}


@schemathesis.hook
def before_call(context, case, kwargs):
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.match(key):
        case.headers["Idempotency-Key"] = (key[:222] + "." + uuid.uuid4().hex)[:255]
    body = case.body
    if case.path.startswith("/workspaces") and isinstance(body, dict):
        name = body.get("name")
        if isinstance(name, str) and VALID_NAME.match(name) and len(name) <= 255:
            body["name"] = name[:200] + " " + uuid.uuid4().hex
    # Whatever the method and however the case was drawn: only loopback ever receives a delivery.
    if case.path.startswith("/webhooks") and isinstance(body, dict) and isinstance(body.get("endpoint"), str):
        body["endpoint"] = WEBHOOK_ENDPOINT
    query = case.query or {}
    kind = query.get("type")
    if case.path == "/destinations/authorize_url" and query.get("domain") == "acme" and isinstance(kind, str) and kind in DOMAINS:
        query["domain"] = DOMAINS[kind]
    for name, value in (case.path_parameters or {}).items():
        if value is None:
            case.path_parameters[name] = 0
