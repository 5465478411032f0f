// The applicant journey through a client generated from openapi/openapi.json with
// openapi-typescript (types) and openapi-fetch (calls): register, the registration fee paid
// by a coordinator, the emailed temporary login, activation, membership, an IFA application
// with its portfolio, three reference raters, the Code of Ethics and the submission.
//
// Every API call goes through the typed client; only the emails are read from MAIL_DIR.
// Any unexpected answer throws, and the process exits non-zero.
//
// Environment: BASE_URL, MAIL_DIR, COORDINATOR_EMAIL, COORDINATOR_PASSWORD.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import createClient from "openapi-fetch";

import type { components, paths } from "./generated/endorse.js";

type Problem = components["schemas"]["Problem"];
type Money = components["schemas"]["Money"];

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const BASE_URL = env("BASE_URL");
const MAIL_DIR = env("MAIL_DIR");
const COORDINATOR_EMAIL = env("COORDINATOR_EMAIL");
const COORDINATOR_PASSWORD = env("COORDINATOR_PASSWORD");
const PASSWORD = "a long passphrase for the TypeScript journey";

// ---------------------------------------------------------------- assertions

class JourneyFailure extends Error {}

function fail(message: string): never {
  throw new JourneyFailure(message);
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) fail(message);
}

function eq(step: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${step}: expected ${e}, got ${a}`);
}

/** What every openapi-fetch call resolves to: data on success, error otherwise. */
type Result<D, E> =
  | { data: D; error?: never; response: Response }
  | { data?: never; error: E; response: Response };

function describe(r: { data?: unknown; error?: unknown; response: Response }): string {
  return `${r.response.status} ${JSON.stringify(r.error ?? r.data ?? null)}`;
}

/** The answer must be `status` with a body: returns the typed body. */
function ok<D, E>(step: string, r: Result<D, E>, status: number): NonNullable<D> {
  const data = r.data;
  if (r.response.status !== status || data === undefined || data === null) {
    fail(`${step}: expected ${status}, got ${describe(r)}`);
  }
  log(`${step}: ${status}`);
  return data;
}

/** The answer must be `status` with no body (204). */
function empty<D, E>(step: string, r: Result<D, E>, status: number): void {
  if (r.response.status !== status || r.error !== undefined) {
    fail(`${step}: expected ${status}, got ${describe(r)}`);
  }
  log(`${step}: ${status}`);
}

/** The answer must be an RFC 9457 problem with `status` and `code`: returns it. */
function problem<D, E extends Problem>(step: string, r: Result<D, E>, status: number, code: string): Problem {
  const contentType = r.response.headers.get("content-type") ?? "";
  if (r.response.status !== status || r.error === undefined) {
    fail(`${step}: expected a ${status} ${code} problem, got ${describe(r)}`);
  }
  const p: Problem = r.error;
  check(contentType.startsWith("application/problem+json"), `${step}: content-type ${contentType}`);
  eq(`${step}: problem status`, p.status, status);
  eq(`${step}: problem code`, p.code, code);
  eq(`${step}: problem type`, p.type, `urn:endorse:problem:${code}`);
  check(p.title.length > 0 && p.detail.length > 0, `${step}: a title and a detail`);
  log(`${step}: ${status} ${code}`);
  return p;
}

function log(line: string): void {
  console.log(`[ts] ${line}`);
}

// ---------------------------------------------------------------- emails

interface Mail {
  file: string;
  to: string;
  subject: string;
  text: string;
  mtime: number;
}

function decodeQuotedPrintable(body: string): string {
  const soft = body.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    const hex = soft.slice(i + 1, i + 3);
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Splits a MIME entity into its (unfolded, lower-cased) headers and its body. */
function splitEntity(raw: string, what: string): { headers: Map<string, string>; body: string } {
  const split = raw.search(/\r?\n\r?\n/);
  check(split > 0, `${what}: no header/body separator`);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, " ");
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The plain-text content of a MIME entity: itself when text/plain, else its text/plain part. */
function plainText(raw: string, what: string): string {
  const { headers, body } = splitEntity(raw, what);
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1, -1);
    for (const part of parts) {
      const inner = part.replace(/^\r?\n/, "");
      const partType = splitEntity(inner, what).headers.get("content-type") ?? "text/plain";
      if (/^(text\/plain|multipart\/)/i.test(partType)) return plainText(inner, what);
    }
    fail(`${what}: no text/plain part`);
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  return body;
}

/** Parses one .eml file as the service writes it: text/plain, or multipart/alternative with an HTML twin. */
function parseMail(file: string): Mail {
  const raw = readFileSync(file, "utf8");
  const { headers } = splitEntity(raw, file);
  return {
    file,
    to: headers.get("to") ?? "",
    subject: headers.get("subject") ?? "",
    text: plainText(raw, file).replace(/\r\n/g, "\n"),
    mtime: statSync(file).mtimeMs,
  };
}

/** Waits (up to 30 s: the outbox worker delivers) for emails to `address` that `match`; oldest first. */
async function mailTo(address: string, match: (mail: Mail) => boolean = () => true): Promise<Mail[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = existsSync(MAIL_DIR)
      ? readdirSync(MAIL_DIR)
          .filter((f) => f.endsWith(".eml") && !f.startsWith("."))
          .map((f) => parseMail(join(MAIL_DIR, f)))
          .filter((m) => m.to.toLowerCase().includes(`<${address.toLowerCase()}>`) || m.to.toLowerCase() === address.toLowerCase())
          .filter(match)
          .sort((a, b) => a.mtime - b.mtime)
      : [];
    if (found.length > 0) return found;
    if (Date.now() > deadline) fail(`no email to ${address} in ${MAIL_DIR} after 30 s (found ${found.length})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The one-time code in an email: the last word of the line that gives it. */
function codeIn(mail: Mail): string {
  const line = mail.text.split("\n").find((l) => /\b[Cc](ode|ódigo): /.test(l));
  const code = line?.trim().split(/\s+/).pop();
  if (!code) fail(`no code in the email ${mail.file}:\n${mail.text}`);
  return code;
}

// ---------------------------------------------------------------- the journey

function idempotent(): { "Idempotency-Key": string } {
  return { "Idempotency-Key": randomUUID() };
}

function isoDate(daysFromNow: number): string {
  return new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);
}

function signedIn(token: string) {
  return createClient<paths>({ baseUrl: BASE_URL, headers: { Authorization: `Bearer ${token}` } });
}

async function signIn(username: string, password: string, who: string) {
  const anonymous = createClient<paths>({ baseUrl: BASE_URL });
  const tokens = ok(
    `sign in as ${who}`,
    await anonymous.POST("/v1/auth/token", { body: { grant_type: "password", username, password } }),
    200,
  );
  eq("token type", tokens.token_type, "Bearer");
  check(tokens.expires_in > 0 && typeof tokens.refresh_token === "string", "an expiring access token and a refresh token");
  return signedIn(tokens.access_token);
}

async function main(): Promise<void> {
  const anonymous = createClient<paths>({ baseUrl: BASE_URL });
  const email = `ts.${randomUUID().slice(0, 8)}@journey.example.org`;
  const usd = (amount_cents: number): Money => ({ amount_cents, currency: "USD" });

  // 1. Register with Washington (public): a pending account and the $25 registration fee.
  const registrationKey = idempotent();
  const registrationBody = {
    given_name: "Ana",
    family_name: "López",
    email,
    preferred_language: "en" as const,
    phone: "+1 206 555 0100",
    address: { city: "Seattle", region: "WA", country: "US" },
    highest_education: "associate" as const,
    years_of_experience: 3,
    work_kinds: ["prevention_early_intervention" as const],
    rsc_hours_received: 12.25,
    target_category: "IFA",
  };
  const registration = ok(
    "register",
    await anonymous.POST("/v1/affiliates/{affiliate}/registrations", {
      params: { path: { affiliate: "wa" }, header: registrationKey },
      body: registrationBody,
    }),
    201,
  );
  eq("registration status", registration.status, "awaiting_fee");
  eq("registration invoice purpose", registration.invoice.purpose, "registration");
  eq("registration invoice status", registration.invoice.status, "open");
  eq("registration fee", registration.invoice.total, usd(2500));
  eq("registration balance", registration.invoice.balance, usd(2500));
  eq("registration invoice person", registration.invoice.person_id, registration.person_id);

  // The same Idempotency-Key and body replay the first answer.
  const replay = await anonymous.POST("/v1/affiliates/{affiliate}/registrations", {
    params: { path: { affiliate: "wa" }, header: registrationKey },
    body: registrationBody,
  });
  eq("replayed registration", ok("register again with the same Idempotency-Key", replay, 201).id, registration.id);
  eq("Idempotent-Replayed", replay.response.headers.get("idempotent-replayed"), "true");

  // Not active yet: no sign-in.
  problem(
    "sign in before activation",
    await anonymous.POST("/v1/auth/token", { body: { grant_type: "password", username: email, password: PASSWORD } }),
    400,
    "invalid_grant",
  );

  // 2. A coordinator finds the registration invoice and records the payment.
  const coordinator = await signIn(COORDINATOR_EMAIL, COORDINATOR_PASSWORD, "the coordinator");
  const invoices = ok(
    "coordinator lists the applicant's open invoices",
    await coordinator.GET("/v1/invoices", { params: { query: { person_id: registration.person_id, status: "open" } } }),
    200,
  );
  eq("open invoices", invoices.data.map((i) => [i.id, i.purpose]), [[registration.invoice.id, "registration"]]);
  const fee = invoices.data[0]!;
  const settled = ok(
    "coordinator records the registration fee payment",
    await coordinator.POST("/v1/invoices/{id}/entries", {
      params: { path: { id: fee.id }, header: idempotent() },
      body: { kind: "payment", method: "check", amount: fee.balance, reference: "check #1042" },
    }),
    201,
  );
  eq("registration invoice after payment", [settled.status, settled.balance, settled.paid], ["settled", usd(0), usd(2500)]);
  eq("payment entry", settled.entries.map((e) => [e.kind, e.method, e.amount.amount_cents]), [["payment", "check", 2500]]);

  // 3. The temporary login arrives by email; it activates the account with a password.
  const [welcome] = await mailTo(email, (m) => m.text.includes("Or enter this code: "));
  const code = codeIn(welcome!);
  log(`temporary login code read from ${welcome!.file}`);
  const activated = ok(
    "activate with the temporary login",
    await anonymous.POST("/v1/auth/activate", { body: { token: code, password: PASSWORD } }),
    200,
  );
  eq("activated person", [activated.id, activated.email, activated.status], [registration.person_id, email, "active"]);
  problem(
    "the temporary login works once",
    await anonymous.POST("/v1/auth/activate", { body: { token: code, password: PASSWORD } }),
    400,
    "invalid_token",
  );

  // 4. Signed in: the profile, and a change with If-Match.
  const me = await signIn(email, PASSWORD, "the applicant");
  const profileAnswer = await me.GET("/v1/me");
  const profile = ok("read /v1/me", profileAnswer, 200);
  eq("profile", [profile.id, profile.email, profile.given_name, profile.family_name, profile.roles], [
    registration.person_id,
    email,
    "Ana",
    "López",
    ["applicant"],
  ]);
  eq("membership before joining", profile.membership.status, "none");
  const etag = profileAnswer.response.headers.get("etag");
  eq("ETag of /v1/me", etag, `"${profile.version}"`);
  const patched = ok(
    "update the phone number with If-Match",
    await me.PATCH("/v1/me", { params: { header: { "If-Match": etag! } }, body: { phone: "+1 206 555 0199" } }),
    200,
  );
  eq("updated profile", [patched.phone, patched.version], ["+1 206 555 0199", profile.version + 1]);
  problem(
    "a stale If-Match is refused",
    await me.PATCH("/v1/me", { params: { header: { "If-Match": etag! } }, body: { phone: "+1 206 555 0100" } }),
    412,
    "precondition_failed",
  );

  // 5. Membership: join Washington's individual plan; the coordinator records the dues.
  const plans = ok(
    "list Washington's membership plans",
    await anonymous.GET("/v1/affiliates/{affiliate}/membership-plans", { params: { path: { affiliate: "wa" } } }),
    200,
  ).data;
  const plan = plans.find((p) => p.active && p.qualifies_for_endorsement);
  check(plan !== undefined, `an active individual plan among ${JSON.stringify(plans)}`);
  eq("individual plan dues", plan.dues, usd(8000));
  const joined = ok(
    "join the plan",
    await me.POST("/v1/me/memberships", { params: { header: idempotent() }, body: { plan_id: plan.id } }),
    201,
  );
  eq("membership before payment", [joined.membership.status, joined.membership.plan_id], ["pending_payment", plan.id]);
  eq("membership invoice", [joined.invoice.purpose, joined.invoice.status, joined.invoice.balance], ["membership", "open", usd(8000)]);
  const dues = ok(
    "coordinator records the membership dues",
    await coordinator.POST("/v1/invoices/{id}/entries", {
      params: { path: { id: joined.invoice.id }, header: idempotent() },
      body: { kind: "payment", method: "card", amount: usd(8000), reference: "card 4242" },
    }),
    201,
  );
  eq("membership invoice after payment", [dues.status, dues.balance], ["settled", usd(0)]);
  const member = ok("read /v1/me as a member", await me.GET("/v1/me"), 200);
  eq("membership after payment", [member.membership.status, member.membership.qualifies_for_endorsement], ["active", true]);
  check(typeof member.membership.ends_on === "string", "the membership has an end date");

  // 6. An IFA application (draft) and its portfolio.
  const application = ok(
    "start an IFA application",
    await me.POST("/v1/applications", { params: { header: idempotent() }, body: { category: "ifa" } }),
    201,
  );
  eq("new application", [application.category, application.kind, application.status], ["IFA", "initial", "draft"]);
  const id = application.id;
  const education = ok(
    "add education",
    await me.POST("/v1/applications/{id}/portfolio/{kind}", {
      params: { path: { id, kind: "education" }, header: idempotent() },
      body: { level: "associate", field: "Early childhood education", institution: "Seattle Central College", completed_on: "2019-06-14" },
    }),
    201,
  );
  eq("education entry", [education.kind, education.verified, education.version], ["education", false, 1]);
  const trainingAnswer = await me.POST("/v1/applications/{id}/portfolio/{kind}", {
    params: { path: { id, kind: "trainings" }, header: idempotent() },
    body: { title: "Play and learn", provider: "WA-AIMH", date: "2025-02-01", hours: 20, age_focus: "infant_toddler" },
  });
  const training = ok("add a 20-hour training", trainingAnswer, 201);
  eq("training entry", [training.kind, training.version], ["trainings", 1]);
  const trainingTag = trainingAnswer.response.headers.get("etag");
  eq("training ETag", trainingTag, '"1"');

  // 7. A coordinator publishes the next submission deadline for IFA.
  const deadline = ok(
    "coordinator publishes an IFA submission deadline",
    await coordinator.POST("/v1/affiliates/{affiliate}/schedule", {
      params: { path: { affiliate: "wa" }, header: idempotent() },
      body: { kind: "submission_deadline", title: "IFA deadline (TypeScript journey)", starts_on: isoDate(20), categories: ["IFA"] },
    }),
    201,
  );
  eq("deadline", [deadline.kind, deadline.categories], ["submission_deadline", ["IFA"]]);

  // 8. Submitting now: 422, listing every shortfall of the portfolio.
  const short = problem(
    "submit an incomplete application",
    await me.POST("/v1/applications/{id}/submission", { params: { path: { id }, header: idempotent() } }),
    422,
    "validation_failed",
  );
  eq(
    "shortfalls",
    (short.errors ?? []).map((e) => [e.field, e.code]),
    [
      ["references", "unmet_requirement"],
      ["training.hours", "unmet_requirement"],
      ["code_of_ethics", "unmet_requirement"],
    ],
  );

  // 9. The training was 30 hours after all: replaced with If-Match; a stale tag is refused.
  const replaced = ok(
    "replace the training with If-Match",
    await me.PUT("/v1/applications/{id}/portfolio/{kind}/{entry}", {
      params: { path: { id, kind: "trainings", entry: training.id }, header: { "If-Match": trainingTag! } },
      body: { title: "Play and learn", provider: "WA-AIMH", date: "2025-02-01", hours: 30, age_focus: "infant_toddler" },
    }),
    200,
  );
  eq("replaced training", [replaced.id, replaced.version], [training.id, 2]);
  problem(
    "replace with a stale If-Match",
    await me.PUT("/v1/applications/{id}/portfolio/{kind}/{entry}", {
      params: { path: { id, kind: "trainings", entry: training.id }, header: { "If-Match": trainingTag! } },
      body: { title: "Play and learn", provider: "WA-AIMH", date: "2025-02-01", hours: 31, age_focus: "infant_toddler" },
    }),
    412,
    "precondition_failed",
  );

  // 10. Three reference raters, each rating from the code in their email.
  const raters = [
    { name: "Maria Chen", kind: "supervisor" as const, relationship: "Clinical supervisor since 2021" },
    { name: "Sam Ortiz", kind: "colleague" as const, relationship: "Colleague at the EI program" },
    { name: "Lee Park", kind: "reflective_supervisor" as const, relationship: "Reflective supervisor" },
  ];
  for (const [i, rater] of raters.entries()) {
    const raterEmail = `rater${i}.${email}`;
    const invited = ok(
      `invite ${rater.name}`,
      await me.POST("/v1/applications/{id}/references", {
        params: { path: { id }, header: idempotent() },
        body: { ...rater, email: raterEmail },
      }),
      201,
    );
    eq(`reference ${i}`, [invited.email, invited.kind, invited.status], [raterEmail, rater.kind, "invited"]);
    const [invitation] = await mailTo(raterEmail, (m) => m.text.includes("Or enter this code: "));
    const token = codeIn(invitation!);
    const request = ok(
      `${rater.name} opens the request`,
      await anonymous.POST("/v1/reference-requests/open", { params: { header: idempotent() }, body: { token } }),
      200,
    );
    eq("what the rater sees", [request.applicant_name, request.category, request.rater_name], ["Ana López", "IFA", rater.name]);
    check(request.domains.length > 0, "domains to rate");
    empty(
      `${rater.name} rates`,
      await anonymous.POST("/v1/reference-requests/rating", {
        params: { header: idempotent() },
        body: { token, ratings: request.domains.map((domain) => ({ domain, rating: 5 })), comments: "Warm and attuned." },
      }),
      204,
    );
  }
  // The applicant sees statuses, never the ratings (the document types this answer as
  // ReferenceContent, whose `ratings` the applicant's answer lacks: see ../README.md).
  const references = ok("list the references", await me.GET("/v1/applications/{id}/references", { params: { path: { id } } }), 200).data;
  eq("reference statuses", references.map((r) => [r.email, r.status]), raters.map((_, i) => [`rater${i}.${email}`, "submitted"]));
  eq("ratings shown to the applicant", references.filter((r) => "ratings" in r).length, 0);

  // 11. The Code of Ethics, signed in its current version.
  const ethics = ok("read the Code of Ethics version", await anonymous.GET("/v1/code-of-ethics"), 200);
  const signed = ok(
    "sign the Code of Ethics",
    await me.POST("/v1/applications/{id}/attestations", {
      params: { path: { id }, header: idempotent() },
      body: { text_version: ethics.version },
    }),
    201,
  );
  eq("attestation", [signed.kind, signed.text_version], ["code_of_ethics", ethics.version]);

  // 12. Ready, then submitted to the next deadline.
  const readiness = ok("read readiness", await me.GET("/v1/applications/{id}/readiness", { params: { path: { id } } }), 200);
  eq("readiness", [readiness.ready_to_submit, readiness.evaluation.met_except_exam], [true, true]);
  eq("unmet requirements", readiness.evaluation.requirements.filter((r) => !r.met).map((r) => r.key), []);
  const submitted = ok(
    "submit",
    await me.POST("/v1/applications/{id}/submission", { params: { path: { id }, header: idempotent() } }),
    200,
  );
  eq("submitted application", [submitted.id, submitted.status], [id, "submitted"]);
  check(typeof submitted.submitted_at === "string" && typeof submitted.deadline_id === "string", "a submission time and a deadline");
  problem(
    "submit again",
    await me.POST("/v1/applications/{id}/submission", { params: { path: { id }, header: idempotent() } }),
    409,
    "invalid_state",
  );
  const history = ok("read the history", await me.GET("/v1/applications/{id}/history", { params: { path: { id } } }), 200).data;
  eq("history", history.map((h) => h.to_status), ["draft", "submitted"]);
  const confirmations = await mailTo(email, (m) => m.text.includes("We received your Infant Family Associate (IFA) application"));
  eq("submission confirmation emails", confirmations.length, 1);

  log(`journey complete for ${email} (application ${id})`);
}

main().catch((e: unknown) => {
  console.error(`[ts] JOURNEY FAILED: ${e instanceof JourneyFailure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
