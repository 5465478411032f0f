"""The applicant journey through a client generated from openapi/openapi.json with
openapi-python-client: register, the registration fee paid by a coordinator, the emailed
temporary login, activation, membership, an IFA application with its portfolio, three
reference raters, the Code of Ethics and the submission.

Every API call goes through the generated client; only the emails are read from MAIL_DIR.
Any unexpected answer raises, and the process exits non-zero.

Environment: BASE_URL, MAIL_DIR, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, and
ENDORSE_CLIENT_DIR (the folder that holds the generated `endorse_client` package).
"""

from __future__ import annotations

import datetime
import email
import email.policy
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any, NoReturn, TypeVar

sys.path.insert(0, os.environ.get("ENDORSE_CLIENT_DIR", str(Path(__file__).parent / "generated")))

from endorse_client import AuthenticatedClient, Client  # noqa: E402
from endorse_client.api.accounts import get_me, update_me  # noqa: E402
from endorse_client.api.applications import (  # noqa: E402
    get_code_of_ethics,
    list_application_history,
    get_application_readiness,
    sign_attestation,
    start_application,
    submit_application,
)
from endorse_client.api.auth import issue_token  # noqa: E402
from endorse_client.api.billing import list_invoices, record_invoice_entry  # noqa: E402
from endorse_client.api.memberships import join_membership, list_membership_plans  # noqa: E402
from endorse_client.api.portfolio import add_portfolio_entry, replace_portfolio_entry  # noqa: E402
from endorse_client.api.references import (  # noqa: E402
    invite_reference,
    list_references,
    open_reference_request,
    submit_reference,
)
from endorse_client.api.registration import activate_account, register  # noqa: E402
from endorse_client.api.schedule import publish_schedule_event  # noqa: E402
from endorse_client.models import (  # noqa: E402
    Address,
    AgeBand,
    Application,
    ApplicationEvent,
    Attestation,
    AttestationText,
    DegreeLevel,
    EducationItem,
    EntryKind,
    EventKind,
    Invoice,
    InvoicePurpose,
    InvoiceStatus,
    JoinPlan,
    Joined,
    Language,
    Money,
    NewApplication,
    NewAttestation,
    NewEntry,
    NewReference,
    NewRegistration,
    NewScheduleEvent,
    InvoicePage,
    PaymentMethod,
    Person,
    Plan,
    PortfolioEntry,
    PortfolioKind,
    Problem,
    Profile,
    ProfilePatch,
    Rating,
    Readiness,
    ReferenceContent,
    ReferenceKind,
    ReferenceRequest,
    ReferenceStatus,
    ReferenceSubmission,
    Registration,
    Role,
    ScheduleEvent,
    SetPassword,
    TokenOnly,
    TokenRequestPassword,
    TokenResponse,
    TrainingItem,
    WorkKind,
)
from endorse_client.types import Response, Unset  # noqa: E402

BASE_URL = os.environ["BASE_URL"]
MAIL_DIR = Path(os.environ["MAIL_DIR"])
COORDINATOR_EMAIL = os.environ["COORDINATOR_EMAIL"]
COORDINATOR_PASSWORD = os.environ["COORDINATOR_PASSWORD"]
PASSWORD = "a long passphrase for the Python journey"

T = TypeVar("T")


# ---------------------------------------------------------------- assertions


class JourneyFailure(Exception):
    pass


def fail(message: str) -> NoReturn:
    raise JourneyFailure(message)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def eq(step: str, actual: Any, expected: Any) -> None:
    check(actual == expected, f"{step}: expected {expected!r}, got {actual!r}")


def log(line: str) -> None:
    print(f"[py] {line}", flush=True)


def describe(r: Response[Any]) -> str:
    return f"{int(r.status_code)} {r.content.decode('utf-8', 'replace')}"


def ok(step: str, r: Response[Any], status: int, kind: type[T]) -> T:
    """The answer must be `status` with a body of the generated model `kind`: returns it."""
    if int(r.status_code) != status or not isinstance(r.parsed, kind):
        fail(f"{step}: expected {status} with a {kind.__name__}, got {describe(r)}")
    log(f"{step}: {status}")
    return r.parsed


def ok_list(step: str, r: Response[Any], status: int, kind: type[T]) -> list[T]:
    """The answer must be `status` with a page (`data`, `next_cursor`) of `kind`: returns its rows."""
    data = getattr(r.parsed, "data", None)
    if int(r.status_code) != status or not isinstance(data, list) or not all(isinstance(x, kind) for x in data):
        fail(f"{step}: expected {status} with a page of {kind.__name__}, got {describe(r)}")
    if not hasattr(r.parsed, "next_cursor"):
        fail(f"{step}: the page has no next_cursor")
    log(f"{step}: {status}")
    return data


def empty(step: str, r: Response[Any], status: int) -> None:
    if int(r.status_code) != status or r.content:
        fail(f"{step}: expected {status} and no body, got {describe(r)}")
    log(f"{step}: {status}")


def problem(step: str, r: Response[Any], status: int, code: str) -> Problem:
    """The answer must be an RFC 9457 problem with `status` and `code`: returns it."""
    p = r.parsed
    if int(r.status_code) != status or not isinstance(p, Problem):
        fail(f"{step}: expected a {status} {code} problem, got {describe(r)}")
    content_type = r.headers.get("content-type", "")
    check(content_type.startswith("application/problem+json"), f"{step}: content-type {content_type}")
    eq(f"{step}: problem status", p.status, status)
    eq(f"{step}: problem code", p.code, code)
    eq(f"{step}: problem type", p.type_, f"urn:endorse:problem:{code}")
    check(bool(p.title) and bool(p.detail), f"{step}: a title and a detail")
    log(f"{step}: {status} {code}")
    return p


def key() -> str:
    return str(uuid.uuid4())


def usd(cents: int) -> Money:
    return Money(amount_cents=cents, currency="USD")


def money(m: Money) -> tuple[int, str]:
    return (m.amount_cents, m.currency)


# ---------------------------------------------------------------- emails


def mail_to(address: str, containing: str) -> list[email.message.EmailMessage]:
    """Waits (up to 30 s: the outbox worker delivers) for emails to `address` whose text
    contains `containing`; oldest first."""
    deadline = time.monotonic() + 30
    while True:
        found: list[tuple[float, email.message.EmailMessage]] = []
        if MAIL_DIR.is_dir():
            for path in MAIL_DIR.glob("*.eml"):
                if path.name.startswith("."):
                    continue
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                assert isinstance(message, email.message.EmailMessage)
                recipients = [a.addr_spec.lower() for a in message["to"].addresses] if message["to"] else []
                if address.lower() in recipients and containing in text_of(message):
                    found.append((path.stat().st_mtime, message))
        if found:
            return [m for _, m in sorted(found, key=lambda f: f[0])]
        if time.monotonic() > deadline:
            fail(f"no email to {address} in {MAIL_DIR} after 30 s (found {len(found)})")
        time.sleep(0.2)


def text_of(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    check(body is not None, f"a text body in {message['subject']}")
    assert body is not None
    return str(body.get_content())


def code_in(message: email.message.EmailMessage) -> str:
    """The one-time code in an email: the last word of the line that gives it."""
    text = text_of(message)
    for line in text.splitlines():
        if any(w in line for w in ("code: ", "Code: ", "código: ", "Código: ")):
            return line.split()[-1]
    fail(f"no code in the email:\n{text}")


# ---------------------------------------------------------------- the journey


def sign_in(anonymous: Any, username: str, password: str, who: str) -> AuthenticatedClient:
    tokens = ok(
        f"sign in as {who}",
        issue_token.sync_detailed(
            client=anonymous,
            body=TokenRequestPassword(grant_type="password", username=username, password=password),
        ),
        200,
        TokenResponse,
    )
    eq("token type", tokens.token_type, "Bearer")
    check(tokens.expires_in > 0 and isinstance(tokens.refresh_token, str), "an expiring access token and a refresh token")
    return AuthenticatedClient(base_url=BASE_URL, token=tokens.access_token)


def main() -> None:
    # Public operations are typed as needing an AuthenticatedClient by openapi-python-client
    # (they declare `security: [{}]`); a plain Client is what they take at run time.
    anonymous: Any = Client(base_url=BASE_URL)
    applicant_email = f"py.{uuid.uuid4().hex[:8]}@journey.example.org"
    today = datetime.date.today()

    # 1. Register with Washington (public): a pending account and the $25 registration fee.
    registration_key = key()
    registration_body = NewRegistration(
        given_name="Ana",
        family_name="López",
        email=applicant_email,
        preferred_language=Language.EN,
        phone="+1 206 555 0100",
        address=Address(city="Seattle", region="WA", country="US"),
        highest_education=DegreeLevel.ASSOCIATE,
        years_of_experience=3,
        work_kinds=[WorkKind.PREVENTION_EARLY_INTERVENTION],
        rsc_hours_received=12.25,
        target_category="IFA",
    )
    registration = ok(
        "register",
        register.sync_detailed(
            "wa", client=anonymous, body=registration_body, idempotency_key=registration_key
        ),
        201,
        Registration,
    )
    eq("registration status", registration.status, "awaiting_fee")
    invoice = registration.invoice
    eq("registration invoice", (invoice.purpose, invoice.status), ("registration", "open"))
    eq("registration fee", money(invoice.total), (2500, "USD"))
    eq("registration balance", money(invoice.balance), (2500, "USD"))
    eq("registration invoice person", invoice.person_id, registration.person_id)

    # The same Idempotency-Key and body replay the first answer.
    replay = register.sync_detailed(
        "wa", client=anonymous, body=registration_body, idempotency_key=registration_key
    )
    eq("replayed registration", ok("register again with the same Idempotency-Key", replay, 201, Registration).id, registration.id)
    eq("Idempotent-Replayed", replay.headers.get("idempotent-replayed"), "true")

    # Not active yet: no sign-in.
    problem(
        "sign in before activation",
        issue_token.sync_detailed(
            client=anonymous,
            body=TokenRequestPassword(
                grant_type="password", username=applicant_email, password=PASSWORD
            ),
        ),
        400,
        "invalid_grant",
    )

    # 2. A coordinator finds the registration invoice and records the payment.
    coordinator = sign_in(anonymous, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, "the coordinator")
    invoices = ok(
        "coordinator lists the applicant's open invoices",
        list_invoices.sync_detailed(client=coordinator, person_id=registration.person_id, status=InvoiceStatus.OPEN),
        200,
        InvoicePage,
    )
    eq("open invoices", [(i.id, i.purpose) for i in invoices.data], [(invoice.id, InvoicePurpose.REGISTRATION)])
    fee = invoices.data[0]
    settled = ok(
        "coordinator records the registration fee payment",
        record_invoice_entry.sync_detailed(
            fee.id,
            client=coordinator,
            body=NewEntry(
                kind=EntryKind.PAYMENT,
                method=PaymentMethod.CHECK,
                amount=Money(amount_cents=fee.balance.amount_cents, currency=fee.balance.currency),
                reference="check #1043",
            ),
            idempotency_key=key(),
        ),
        201,
        Invoice,
    )
    eq(
        "registration invoice after payment",
        (settled.status, money(settled.balance), money(settled.paid)),
        ("settled", (0, "USD"), (2500, "USD")),
    )
    eq("payment entry", [(e.kind, e.method, e.amount.amount_cents) for e in settled.entries], [("payment", "check", 2500)])

    # 3. The temporary login arrives by email; it activates the account with a password.
    (welcome,) = mail_to(applicant_email, "Or enter this code: ")
    code = code_in(welcome)
    log(f"temporary login code read from the email '{welcome['subject']}'")
    activated = ok(
        "activate with the temporary login",
        activate_account.sync_detailed(client=anonymous, body=SetPassword(token=code, password=PASSWORD)),
        200,
        Person,
    )
    eq("activated person", (activated.id, activated.email, activated.status), (registration.person_id, applicant_email, "active"))
    problem(
        "the temporary login works once",
        activate_account.sync_detailed(client=anonymous, body=SetPassword(token=code, password=PASSWORD)),
        400,
        "invalid_token",
    )

    # 4. Signed in: the profile, and a change with If-Match.
    me = sign_in(anonymous, applicant_email, PASSWORD, "the applicant")
    profile_answer = get_me.sync_detailed(client=me)
    profile = ok("read /v1/me", profile_answer, 200, Profile)
    eq(
        "profile",
        (profile.id, profile.email, profile.given_name, profile.family_name, profile.roles),
        (registration.person_id, applicant_email, "Ana", "López", [Role.APPLICANT]),
    )
    eq("membership before joining", profile.membership.status, "none")
    etag = profile_answer.headers.get("etag")
    eq("ETag of /v1/me", etag, f'"{profile.version}"')
    assert etag is not None
    patched = ok(
        "update the phone number with If-Match",
        update_me.sync_detailed(client=me, body=ProfilePatch(phone="+1 206 555 0199"), if_match=etag),
        200,
        Profile,
    )
    eq("updated profile", (patched.phone, patched.version), ("+1 206 555 0199", profile.version + 1))
    problem(
        "a stale If-Match is refused",
        update_me.sync_detailed(client=me, body=ProfilePatch(phone="+1 206 555 0100"), if_match=etag),
        412,
        "precondition_failed",
    )

    # 5. Membership: join Washington's individual plan; the coordinator records the dues.
    plans = ok_list(
        "list Washington's membership plans", list_membership_plans.sync_detailed("wa", client=anonymous), 200, Plan
    )
    plan = next((p for p in plans if p.active and p.qualifies_for_endorsement), None)
    if plan is None:
        fail(f"an active individual plan among {plans!r}")
    eq("individual plan dues", money(plan.dues), (8000, "USD"))
    joined = ok(
        "join the plan",
        join_membership.sync_detailed(client=me, body=JoinPlan(plan_id=plan.id), idempotency_key=key()),
        201,
        Joined,
    )
    eq("membership before payment", (joined.membership.status, joined.membership.plan_id), ("pending_payment", plan.id))
    eq(
        "membership invoice",
        (joined.invoice.purpose, joined.invoice.status, money(joined.invoice.balance)),
        ("membership", "open", (8000, "USD")),
    )
    dues = ok(
        "coordinator records the membership dues",
        record_invoice_entry.sync_detailed(
            joined.invoice.id,
            client=coordinator,
            body=NewEntry(kind=EntryKind.PAYMENT, method=PaymentMethod.CARD, amount=usd(8000), reference="card 4242"),
            idempotency_key=key(),
        ),
        201,
        Invoice,
    )
    eq("membership invoice after payment", (dues.status, money(dues.balance)), ("settled", (0, "USD")))
    member = ok("read /v1/me as a member", get_me.sync_detailed(client=me), 200, Profile)
    eq(
        "membership after payment",
        (member.membership.status, member.membership.qualifies_for_endorsement),
        ("active", True),
    )
    check(isinstance(member.membership.ends_on, datetime.date), "the membership has an end date")

    # 6. An IFA application (draft) and its portfolio.
    application = ok(
        "start an IFA application",
        start_application.sync_detailed(client=me, body=NewApplication(category="ifa"), idempotency_key=key()),
        201,
        Application,
    )
    eq("new application", (application.category, application.kind, application.status), ("IFA", "initial", "draft"))
    app_id = application.id
    education = ok(
        "add education",
        add_portfolio_entry.sync_detailed(
            app_id,
            PortfolioKind.EDUCATION,
            client=me,
            body=EducationItem(
                level=DegreeLevel.ASSOCIATE,
                field="Early childhood education",
                institution="Seattle Central College",
                completed_on=datetime.date(2019, 6, 14),
            ),
            idempotency_key=key(),
        ),
        201,
        PortfolioEntry,
    )
    eq("education entry", (education.kind, education.verified, education.version), (PortfolioKind.EDUCATION, False, 1))
    check(isinstance(education.item, EducationItem), f"the entry's item is education: {education.item!r}")
    training_item = TrainingItem(
        title="Play and learn", provider="WA-AIMH", date=datetime.date(2025, 2, 1), hours=20, age_focus=AgeBand.INFANT_TODDLER
    )
    training_answer = add_portfolio_entry.sync_detailed(
        app_id, PortfolioKind.TRAININGS, client=me, body=training_item, idempotency_key=key()
    )
    training = ok("add a 20-hour training", training_answer, 201, PortfolioEntry)
    eq("training entry", (training.kind, training.version), (PortfolioKind.TRAININGS, 1))
    check(isinstance(training.item, TrainingItem), f"the entry's item is a training: {training.item!r}")
    training_tag = training_answer.headers.get("etag")
    eq("training ETag", training_tag, '"1"')
    assert training_tag is not None

    # 7. A coordinator publishes the next submission deadline for IFA.
    deadline = ok(
        "coordinator publishes an IFA submission deadline",
        publish_schedule_event.sync_detailed(
            "wa",
            client=coordinator,
            body=NewScheduleEvent(
                kind=EventKind.SUBMISSION_DEADLINE,
                title="IFA deadline (Python journey)",
                starts_on=today + datetime.timedelta(days=21),
                categories=["IFA"],
            ),
            idempotency_key=key(),
        ),
        201,
        ScheduleEvent,
    )
    eq("deadline", (deadline.kind, deadline.categories), ("submission_deadline", ["IFA"]))

    # 8. Submitting now: 422, listing every shortfall of the portfolio.
    short = problem(
        "submit an incomplete application",
        submit_application.sync_detailed(app_id, client=me, idempotency_key=key()),
        422,
        "validation_failed",
    )
    errors = short.errors if isinstance(short.errors, list) else []
    eq(
        "shortfalls",
        [(e.field, e.code) for e in errors],
        [
            ("references", "unmet_requirement"),
            ("training.hours", "unmet_requirement"),
            ("code_of_ethics", "unmet_requirement"),
        ],
    )

    # 9. The training was 30 hours after all: replaced with If-Match; a stale tag is refused.
    training_item.hours = 30
    replaced = ok(
        "replace the training with If-Match",
        replace_portfolio_entry.sync_detailed(
            app_id, PortfolioKind.TRAININGS, training.id, client=me, body=training_item, if_match=training_tag
        ),
        200,
        PortfolioEntry,
    )
    eq("replaced training", (replaced.id, replaced.version), (training.id, 2))
    training_item.hours = 31
    problem(
        "replace with a stale If-Match",
        replace_portfolio_entry.sync_detailed(
            app_id, PortfolioKind.TRAININGS, training.id, client=me, body=training_item, if_match=training_tag
        ),
        412,
        "precondition_failed",
    )

    # 10. Three reference raters, each rating from the code in their email.
    raters = [
        ("Maria Chen", ReferenceKind.SUPERVISOR, "Clinical supervisor since 2021"),
        ("Sam Ortiz", ReferenceKind.COLLEAGUE, "Colleague at the EI program"),
        ("Lee Park", ReferenceKind.REFLECTIVE_SUPERVISOR, "Reflective supervisor"),
    ]
    for i, (name, kind, relationship) in enumerate(raters):
        rater_email = f"rater{i}.{applicant_email}"
        invited = ok(
            f"invite {name}",
            invite_reference.sync_detailed(
                app_id,
                client=me,
                body=NewReference(name=name, email=rater_email, relationship=relationship, kind=kind),
                idempotency_key=key(),
            ),
            201,
            ReferenceStatus,
        )
        eq(f"reference {i}", (invited.email, invited.kind, invited.status), (rater_email, kind, "invited"))
        (invitation,) = mail_to(rater_email, "Or enter this code: ")
        token = code_in(invitation)
        request = ok(
            f"{name} opens the request",
            open_reference_request.sync_detailed(client=anonymous, body=TokenOnly(token=token), idempotency_key=key()),
            200,
            ReferenceRequest,
        )
        eq("what the rater sees", (request.applicant_name, request.category, request.rater_name), ("Ana López", "IFA", name))
        check(len(request.domains) > 0, "domains to rate")
        empty(
            f"{name} rates",
            submit_reference.sync_detailed(
                client=anonymous,
                body=ReferenceSubmission(
                    token=token,
                    ratings=[Rating(domain=d, rating=5) for d in request.domains],
                    comments="Warm and attuned.",
                ),
                idempotency_key=key(),
            ),
            204,
        )

    # The applicant sees each rater's status, never the ratings (those are for staff).
    refs = ok_list(
        "list the references",
        list_references.sync_detailed(app_id, client=me),
        200,
        ReferenceContent,
    )
    eq("references listed", len(refs), 3)
    check(all(r.status == "submitted" for r in refs), "every rater has answered")
    check(all(isinstance(r.ratings, Unset) for r in refs), "no ratings shown to the applicant")

    # 11. The Code of Ethics, signed in its current version.
    ethics = ok(
        "read the Code of Ethics version",
        get_code_of_ethics.sync_detailed(client=anonymous),
        200,
        AttestationText,
    )
    signed = ok(
        "sign the Code of Ethics",
        sign_attestation.sync_detailed(
            app_id, client=me, body=NewAttestation(text_version=ethics.version), idempotency_key=key()
        ),
        201,
        Attestation,
    )
    eq("attestation", (signed.kind, signed.text_version), ("code_of_ethics", ethics.version))

    # 12. Ready, then submitted to the next deadline.
    readiness = ok("read readiness", get_application_readiness.sync_detailed(app_id, client=me), 200, Readiness)
    eq("readiness", (readiness.ready_to_submit, readiness.evaluation.met_except_exam), (True, True))
    eq("unmet requirements", [r.key for r in readiness.evaluation.requirements if not r.met], [])
    submitted = ok(
        "submit",
        submit_application.sync_detailed(app_id, client=me, idempotency_key=key()),
        200,
        Application,
    )
    eq("submitted application", (submitted.id, submitted.status), (app_id, "submitted"))
    check(
        isinstance(submitted.submitted_at, datetime.datetime) and isinstance(submitted.deadline_id, uuid.UUID),
        "a submission time and a deadline",
    )
    problem(
        "submit again",
        submit_application.sync_detailed(app_id, client=me, idempotency_key=key()),
        409,
        "invalid_state",
    )
    history = ok_list("read the history", list_application_history.sync_detailed(app_id, client=me), 200, ApplicationEvent)
    eq("history", [h.to_status for h in history], ["draft", "submitted"])
    confirmations = mail_to(applicant_email, "We received your Infant Family Associate (IFA) application")
    eq("submission confirmation emails", len(confirmations), 1)

    log(f"journey complete for {applicant_email} (application {app_id})")


if __name__ == "__main__":
    try:
        main()
    except JourneyFailure as e:
        print(f"[py] JOURNEY FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception:
        import traceback

        print("[py] JOURNEY FAILED with an exception:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
