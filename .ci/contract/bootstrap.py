"""Creates one caller of each kind on a freshly started server and prints their
bearer tokens as shell assignments (TOKEN_ADMIN=..., TOKEN_COORDINATOR=..., ...).

Staff accounts and the machine client come from the `endorse` command line (as an
operator would make them); the applicant registers over HTTP, has the fee recorded
by the coordinator, and activates with the code from the emailed temporary login.
Standard library only, so CI needs nothing beyond Python.
"""

import email
import email.policy
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

BASE = os.environ["BASE_URL"]
BIN = os.environ["ENDORSE_BIN"]
MAIL_DIR = pathlib.Path(os.environ["MAIL_DIR"])
PASSWORD = "contract-tests passphrase 42"
SCOPES = [
    "people:read", "people:write", "memberships:read", "memberships:write", "invoices:read",
    "payments:write", "sync:read", "sync:write", "renewals:read", "renewals:write",
    "reports:read", "webhooks:manage",
]


def call(method, path, body=None, token=None, expect=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
        req.add_header("Idempotency-Key", str(uuid.uuid4()))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            status, text = res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    if status not in expect:
        sys.exit(f"bootstrap: {method} {path} answered {status}: {text}")
    return json.loads(text) if text else None


def cli(*args, stdin=None):
    out = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, env=os.environ)
    if out.returncode != 0:
        sys.exit(f"bootstrap: endorse {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def sign_in(username):
    body = {"grant_type": "password", "username": username, "password": PASSWORD}
    return call("POST", "/v1/auth/token", body)["access_token"]


def staff(name, *roles):
    address = f"{name}@contract.example"
    args = ["admin", "create", "--email", address, "--affiliate", "wa"]
    for role in roles:
        args += ["--role", role]
    cli(*args, stdin=PASSWORD + "\n")
    return sign_in(address)


def emailed_code(to):
    """The code in the newest email to `to` (the outbox worker writes .eml files)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        for path in sorted(MAIL_DIR.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to not in str(msg["To"]):
                continue
            part = msg.get_body(preferencelist=("plain",))
            for line in part.get_content().splitlines():
                if "code: " in line.lower() or "código: " in line.lower():
                    return line.split()[-1]
        time.sleep(0.2)
    sys.exit(f"bootstrap: no emailed code for {to}")


def applicant(coordinator):
    address = "applicant@contract.example"
    reg = call("POST", "/v1/affiliates/wa/registrations", {
        "given_name": "Ana", "family_name": "López", "email": address, "preferred_language": "en",
        "phone": "+1 206 555 0100", "address": {"city": "Seattle", "region": "WA", "country": "US"},
        "highest_education": "bachelor", "years_of_experience": 3,
        "work_kinds": ["prevention_early_intervention"], "rsc_hours_received": 12.25,
        "target_category": "IFS",
    })
    invoice = reg["invoice"]["id"]
    call("POST", f"/v1/invoices/{invoice}/entries", {
        "kind": "payment", "method": "check", "amount": {"amount_cents": 2500, "currency": "USD"},
        "reference": "check 1",
    }, token=coordinator)
    call("POST", "/v1/auth/activate", {"token": emailed_code(address), "password": PASSWORD})
    return sign_in(address)


def client(coordinator):
    made = call("POST", "/v1/affiliates/wa/clients", {"name": "contract tests", "scopes": SCOPES}, token=coordinator)
    body = {"grant_type": "client_credentials", "client_id": made["client_id"], "client_secret": made["client_secret"]}
    return call("POST", "/v1/auth/token", body)["access_token"]


def main():
    tokens = {"ADMIN": staff("admin", "admin"), "COORDINATOR": staff("coordinator", "coordinator")}
    tokens["REVIEWER"] = staff("reviewer", "reviewer")
    tokens["APPLICANT"] = applicant(tokens["COORDINATOR"])
    tokens["CLIENT"] = client(tokens["COORDINATOR"])
    for role, token in tokens.items():
        print(f"TOKEN_{role}={token}")


if __name__ == "__main__":
    main()
