#!/usr/bin/env python3
"""The measurements behind bench/run (see bench/README.md). Python 3.11 standard library only.

bench/run builds the binaries, installs oha and starts PostgreSQL, then calls this with:
  ENDORSE_BIN, BASELINE_BIN, OHA   paths of the release binaries and of the load generator
  PG_ADMIN_URL                     postgres://... of a server where the user may create databases ('' = SQLite only)
  BENCH_QUICK=1                    shorter durations (a smoke run; the figures are noisier)
  BENCH_DEPTH_ROWS                 rows seeded for the page-depth measure (default 1 000 000)
  BENCH_SKIP_CARGO_BENCHES=1       skip the engine, sync and renewals benches
  BENCH_WORK                       scratch folder
It prints the table and writes it (and the raw figures) to bench/results/.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDORSE = os.environ["ENDORSE_BIN"]
BASELINE = os.environ["BASELINE_BIN"]
OHA = os.environ["OHA"]
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
WORK = os.environ.get("BENCH_WORK") or os.path.join(ROOT, "bench", ".work")
RESULTS = os.path.join(ROOT, "bench", "results")
SKIP_CARGO = os.environ.get("BENCH_SKIP_CARGO_BENCHES", "") not in ("", "0")

FIXED_RATE = 1000  # requests/s, the budget's rate
FIXED_SECONDS = 5 if QUICK else 20
TPUT_SECONDS = 4 if QUICK else 10
TPUT_ROUNDS = 1 if QUICK else 3  # service and baseline alternate, this many times each
TPUT_CONNECTIONS = 16
DEPTH_ROWS = int(os.environ.get("BENCH_DEPTH_ROWS", "1000000"))
DEPTH_REQUESTS = 300 if QUICK else 1500
PASSWORD = "bench passphrase, long enough for the policy 2026"
EMAIL = "bench-coordinator@bench.example"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVICE_PORT = int(os.environ.get("BENCH_SERVICE_PORT") or free_port())
BASELINE_PORT = int(os.environ.get("BENCH_BASELINE_PORT") or free_port())


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- HTTP and processes


def http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            raw = res.read()
            return res.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"raw": raw.decode(errors="replace")}


def wait_for(url: str, proc: subprocess.Popen, seconds: float, what: str, logfile: str, ok=(200,)) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}; see {logfile}:\n{tail(logfile)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status in ok:
                    return
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {seconds} s; see {logfile}:\n{tail(logfile)}")


def tail(path: str, n: int = 20) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def service_env(db_url: str, data_dir: str) -> dict:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=db_url,
        BIND_ADDR=f"127.0.0.1:{SERVICE_PORT}",
        DATA_DIR=data_dir,
        RUN_OUTBOX_WORKER="false",
        RUST_LOG="warn",
        LOG_FORMAT="json",
        ACCESS_TOKEN_TTL_SECONDS="86400",
        # The limiter still runs on every request (its cost is in the figures), with a
        # quota the load generator cannot use up.
        RATE_LIMIT_PER_MINUTE="100000000",
    )
    return env


class RssSampler:
    """Samples VmRSS of a process every 50 ms while running; keeps the peak."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_kb = 0
        self.running = False
        self.thread: threading.Thread | None = None

    def read(self, field: str) -> int:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _loop(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, self.read("VmRSS"))
            time.sleep(0.05)

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        if self.thread:
            self.thread.join()


TICK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
BACKGROUND: list[dict] = []  # CPU used by other processes during each measurement


def _busy_seconds() -> float:
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user, nice, system and steal; interrupt time is left out (the loopback traffic of the
    # measurement itself is mostly softirq time, charged to no process).
    return (v[0] + v[1] + v[2] + v[7]) / TICK


BACKEND = re.compile(rb"^postgres: \S+ \S+ (\[local\]|[0-9a-fA-F.:]+\(\d+\))")


def _our_seconds() -> dict[int, float]:
    """CPU so far of what this run measures or causes: the servers and benches, PostgreSQL
    (but for backends serving other databases than its endorse_bench_*), and kernel threads
    (writeback of the seeded rows and the like)."""
    ours = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                raw = f.read()
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            if comm in ("endorse", "bench-baseline") or comm.startswith(("engine-", "sync-", "renewals-")):
                pass
            elif d == "2" or fields[1] == "2":  # kernel threads
                pass
            elif comm == "postgres":
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    cmdline = f.read()
                if b"endorse_bench" not in cmdline and BACKEND.match(cmdline):
                    continue  # a session of somebody else's database
            else:
                continue
            ours[int(d)] = (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, ValueError, IndexError):
            continue
    return ours


class Background:
    """Measures how much of the machine other processes (builds, tests) used meanwhile."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.t, self.busy, self.ours, self.me = time.time(), _busy_seconds(), _our_seconds(), os.times()
        return self

    def __exit__(self, *exc):
        elapsed = time.time() - self.t
        ours_after = _our_seconds()
        ours = sum(v - self.ours.get(pid, 0.0) for pid, v in ours_after.items())
        me = os.times()
        ours += (me.user - self.me.user) + (me.system - self.me.system)
        ours += (me.children_user - self.me.children_user) + (me.children_system - self.me.children_system)
        other = max(0.0, _busy_seconds() - self.busy - ours)
        if elapsed > 0.5:
            BACKGROUND.append({"label": self.label, "seconds": elapsed, "other_pct": 100 * other / (NCPU * elapsed)})


def background_summary(prefix: str) -> tuple[float, float] | None:
    """(largest, time-weighted mean) share of the CPU other processes used in the matching measurements."""
    xs = [b for b in BACKGROUND if b["label"].startswith(prefix)]
    if not xs:
        return None
    total = sum(b["seconds"] for b in xs)
    return max(b["other_pct"] for b in xs), sum(b["other_pct"] * b["seconds"] for b in xs) / total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def oha(url: str, args: list[str], token: str | None = None, pid: int | None = None) -> dict:
    """One oha run; with `pid`, also the server's CPU time per answered request."""
    cmd = [OHA, "--no-tui", "--output-format", "json", "-w", *args]
    if token:
        cmd += ["-H", f"authorization: Bearer {token}"]
    cmd.append(url)
    cpu0 = cpu_seconds(pid) if pid else 0.0
    with Background(f"http {url}"):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu0 if pid else None
    j = json.loads(out)
    codes = {k: int(v) for k, v in (j.get("statusCodeDistribution") or {}).items()}
    ok = codes.get("200", 0)
    failures = sum(int(v) for v in (j.get("errorDistribution") or {}).values())
    pct = j.get("latencyPercentiles") or {}
    total = j["summary"]["total"]
    return {
        "ok": ok,
        "non_200": sum(codes.values()) - ok,
        "failures": failures,
        "errors": sum(codes.values()) - ok + failures,
        "seconds": total,
        "rps_ok": ok / total if total else 0.0,
        "p50_ms": (pct.get("p50") or 0) * 1000,
        "p99_ms": (pct.get("p99") or 0) * 1000,
        "max_ms": (j["summary"].get("slowest") or 0) * 1000,
        "codes": codes,
        "error_kinds": j.get("errorDistribution") or {},
        "server_cpu_us_per_request": (cpu * 1e6 / sum(codes.values())) if cpu is not None and codes else None,
    }


# ---------------------------------------------------------------- databases


def pg_url(dbname: str) -> str:
    parts = urllib.parse.urlsplit(PG_ADMIN_URL)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))


def psql(url: str, sql: str) -> str:
    res = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url], input=sql, capture_output=True, text=True
    )
    if res.returncode != 0:
        raise SystemExit(f"psql failed: {res.stderr}\n{sql[:500]}")
    return res.stdout.strip()


def fresh_pg_database(name: str) -> str:
    psql(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);\nCREATE DATABASE "{name}";')
    return pg_url(name)


def drop_pg_database(name: str) -> None:
    try:
        psql(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    except SystemExit as e:
        log(f"could not drop {name}: {e}")


def seed_depth_sqlite(path: str, rows: int) -> dict:
    """Adds `rows` people and `rows` change-log rows to the affiliate wa, straight into the file."""
    con = sqlite3.connect(path, timeout=60)
    con.execute("PRAGMA busy_timeout = 60000")
    (wa,) = con.execute("SELECT id FROM affiliates WHERE code = 'wa'").fetchone()
    (stamp,) = con.execute("SELECT created_at FROM people LIMIT 1").fetchone()
    t = time.time()
    with con:
        con.executemany(
            "INSERT INTO people (id, affiliate_id, email, email_normalized, given_name, family_name, password_hash,"
            " status, preferred_language, phone, address_line1, address_line2, city, region, postal_code, country,"
            " created_at, updated_at, version)"
            " VALUES (?, ?, ?, ?, ?, 'Depth', NULL, 'active', 'en', NULL, NULL, NULL, 'Seattle', 'WA', NULL, 'US',"
            " ?, ?, 1)",
            (
                (uuid.uuid4().bytes, wa, f"d{n}@depth.example", f"d{n}@depth.example", f"Given{n}", stamp, stamp)
                for n in range(rows)
            ),
        )
    people_s = time.time() - t
    t = time.time()
    with con:

        def changes():
            for n in range(rows):
                rid = uuid.uuid4()
                rep = json.dumps(
                    {
                        "id": str(rid),
                        "email": f"d{n}@depth.example",
                        "given_name": f"Given{n}",
                        "family_name": "Depth",
                        "status": "active",
                        "address": {"city": "Seattle", "region": "WA", "country": "US"},
                        "version": 1,
                    },
                    separators=(",", ":"),
                )
                yield (wa, rid.bytes, f"crm-{n}", rep, stamp)

        con.executemany(
            "INSERT INTO change_log (affiliate_id, kind, record_id, external_id, version, operation, representation,"
            " changed_at) VALUES (?, 'person', ?, ?, 1, 'upsert', ?, ?)",
            changes(),
        )
    changes_s = time.time() - t
    con.execute("ANALYZE")
    con.close()
    return {"people_seconds": people_s, "changes_seconds": changes_s}


def seed_depth_pg(url: str, rows: int) -> dict:
    t = time.time()
    psql(
        url,
        f"""
INSERT INTO people (id, affiliate_id, email, email_normalized, given_name, family_name, password_hash, status,
  preferred_language, city, region, country, created_at, updated_at, version)
SELECT gen_random_uuid(), a.id, 'd' || g || '@depth.example', 'd' || g || '@depth.example', 'Given' || g, 'Depth',
  NULL, 'active', 'en', 'Seattle', 'WA', 'US', now(), now(), 1
FROM generate_series(1, {rows}) g, affiliates a WHERE a.code = 'wa';
""",
    )
    people_s = time.time() - t
    t = time.time()
    # Positions are given directly (the commit-order trigger would number a million rows
    # one by one at commit); the clock is moved past them, as the trigger would have.
    psql(
        url,
        f"""
BEGIN;
ALTER TABLE change_log DISABLE TRIGGER change_log_position;
INSERT INTO change_log (affiliate_id, kind, record_id, external_id, version, operation, representation, changed_at,
  position)
SELECT a.id, 'person', r.id, 'crm-' || g, 1, 'upsert',
  jsonb_build_object('id', r.id, 'email', 'd' || g || '@depth.example', 'given_name', 'Given' || g,
    'family_name', 'Depth', 'status', 'active',
    'address', jsonb_build_object('city', 'Seattle', 'region', 'WA', 'country', 'US'), 'version', 1),
  now(), c.last_position + g
FROM generate_series(1, {rows}) g CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id, g AS n) r,
  affiliates a, change_clock c
WHERE a.code = 'wa' AND c.id = 1;
UPDATE change_clock SET last_position = (SELECT MAX(position) FROM change_log) WHERE id = 1;
ALTER TABLE change_log ENABLE TRIGGER change_log_position;
COMMIT;
VACUUM ANALYZE people;
VACUUM ANALYZE change_log;
""",
    )
    return {"people_seconds": people_s, "changes_seconds": time.time() - t}


def b64cursor(body: dict) -> str:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---------------------------------------------------------------- one backend


def run_backend(backend: str) -> dict:
    """Everything over HTTP on one database: returns the figures."""
    res: dict = {"backend": backend}
    data_dir = os.path.join(WORK, f"data-{backend}")
    shutil.rmtree(data_dir, ignore_errors=True)
    os.makedirs(data_dir)
    pg_name = None
    if backend == "sqlite":
        db_file = os.path.join(data_dir, "endorse.db")
        db_url = f"sqlite://{db_file}?mode=rwc"
    else:
        pg_name = "endorse_bench_http"
        db_url = fresh_pg_database(pg_name)
    env = service_env(db_url, data_dir)
    svc_log = os.path.join(WORK, f"service-{backend}.log")
    base_log = os.path.join(WORK, f"baseline-{backend}.log")
    svc = base = None
    try:
        log(f"{backend}: starting the release service (migrates and seeds itself)")
        svc = subprocess.Popen([ENDORSE, "serve"], env=env, stdout=open(svc_log, "w"), stderr=subprocess.STDOUT)
        svc_url = f"http://127.0.0.1:{SERVICE_PORT}"
        wait_for(f"{svc_url}/readyz", svc, 180, "endorse", svc_log)
        subprocess.run(
            [ENDORSE, "admin", "create", "--email", EMAIL, "--affiliate", "wa", "--role", "coordinator"],
            input=PASSWORD + "\n",
            env=env,
            text=True,
            check=True,
            capture_output=True,
        )
        status, body = http(
            "POST", f"{svc_url}/v1/auth/token", {"grant_type": "password", "username": EMAIL, "password": PASSWORD}
        )
        if status != 200 or not body or "access_token" not in body:
            raise SystemExit(f"sign-in failed: {status} {body}")
        token = body["access_token"]
        status, me = http("GET", f"{svc_url}/v1/me", token=token)
        if status != 200 or not me:
            raise SystemExit(f"/v1/me failed: {status} {me}")
        person_id = me.get("id") or (me.get("person") or {}).get("id")
        if not person_id:
            raise SystemExit(f"no id in /v1/me: {me}")
        svc_get = f"{svc_url}/v1/people/{person_id}"

        base_env = os.environ.copy()
        base_env.update(DATABASE_URL=db_url, BIND_ADDR=f"127.0.0.1:{BASELINE_PORT}", RUST_LOG="warn")
        base = subprocess.Popen([BASELINE], env=base_env, stdout=open(base_log, "w"), stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{BASELINE_PORT}"
        base_get = f"{base_url}/people/{person_id}"
        wait_for(f"{base_url}/people/not-a-uuid", base, 60, "bench-baseline", base_log, ok=(400,))

        # The two answer the same document for the same row.
        s1, svc_doc = http("GET", svc_get, token=token)
        s2, base_doc = http("GET", base_get)
        res["same_document"] = s1 == 200 and s2 == 200 and svc_doc == base_doc
        if not res["same_document"]:
            log(f"WARNING: service and baseline answer differently:\n  {s1} {svc_doc}\n  {s2} {base_doc}")

        log(f"{backend}: warm-up")
        oha(svc_get, ["-z", "3s", "-c", "8"], token)
        oha(base_get, ["-z", "3s", "-c", "8"])

        with RssSampler(svc.pid) as rss:
            res["rss_idle_kb"] = rss.read("VmRSS")
            log(f"{backend}: {FIXED_RATE} req/s for {FIXED_SECONDS} s on the service")
            fixed = ["-q", str(FIXED_RATE), "--latency-correction", "-z", f"{FIXED_SECONDS}s", "-c", "32"]
            res["fixed_service"] = oha(svc_get, fixed, token)
            log(f"{backend}: {FIXED_RATE} req/s for {FIXED_SECONDS} s on the baseline")
            res["fixed_baseline"] = oha(base_get, fixed)
            res["tput_service"], res["tput_baseline"] = [], []
            for r in range(TPUT_ROUNDS):
                log(f"{backend}: throughput round {r + 1}/{TPUT_ROUNDS}, {TPUT_CONNECTIONS} connections")
                tput = ["-z", f"{TPUT_SECONDS}s", "-c", str(TPUT_CONNECTIONS)]
                res["tput_service"].append(oha(svc_get, tput, token, svc.pid))
                res["tput_baseline"].append(oha(base_get, tput, pid=base.pid))
            # Where the difference comes from: the HTTP stacks alone (no token, no database).
            log(f"{backend}: /healthz on both, {TPUT_CONNECTIONS} connections")
            tput = ["-z", f"{TPUT_SECONDS}s", "-c", str(TPUT_CONNECTIONS)]
            res["healthz_service"] = oha(f"{svc_url}/healthz", tput, pid=svc.pid)
            res["healthz_baseline"] = oha(f"{base_url}/healthz", tput, pid=base.pid)
            # The access-token check alone: the same GET refused (401) without a token, and with a
            # token whose signature is wrong (checked in full every time, as a token seen for the
            # first time is; a valid token is remembered once verified).
            log(f"{backend}: the token check alone (401 without a token, 401 with a bad signature)")
            short = ["-z", f"{max(3, TPUT_SECONDS // 2)}s", "-c", str(TPUT_CONNECTIONS)]
            res["refused_no_token"] = oha(svc_get, short, pid=svc.pid)
            res["refused_bad_signature"] = oha(svc_get, short, token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"), svc.pid)
            stop(base)
            base = None

            log(f"{backend}: seeding {DEPTH_ROWS} people and {DEPTH_ROWS} change-log rows")
            if backend == "sqlite":
                res["seed"] = seed_depth_sqlite(db_file, DEPTH_ROWS)
                con = sqlite3.connect(db_file, timeout=60)
                (wa_blob,) = con.execute("SELECT id FROM affiliates WHERE code = 'wa'").fetchone()
                wa_id = str(uuid.UUID(bytes=wa_blob))
                (n_people,) = con.execute("SELECT COUNT(*) FROM people WHERE affiliate_id = ?", (wa_blob,)).fetchone()
                (deep_id,) = con.execute(
                    "SELECT id FROM people WHERE affiliate_id = ? ORDER BY id LIMIT 1 OFFSET ?", (wa_blob, n_people - 51)
                ).fetchone()
                deep_person = str(uuid.UUID(bytes=deep_id))
                (max_pos,) = con.execute(
                    "SELECT MAX(position) FROM change_log WHERE affiliate_id = ?", (wa_blob,)
                ).fetchone()
                con.close()
            else:
                res["seed"] = seed_depth_pg(db_url, DEPTH_ROWS)
                wa_id = psql(db_url, "SELECT id FROM affiliates WHERE code = 'wa'")
                n_people = int(psql(db_url, f"SELECT COUNT(*) FROM people WHERE affiliate_id = '{wa_id}'"))
                deep_person = psql(
                    db_url,
                    f"SELECT id FROM people WHERE affiliate_id = '{wa_id}' ORDER BY id LIMIT 1 OFFSET {n_people - 51}",
                )
                max_pos = int(psql(db_url, f"SELECT MAX(position) FROM change_log WHERE affiliate_id = '{wa_id}'"))
            log(f"{backend}: seeded in {res['seed']['people_seconds']:.0f} s + {res['seed']['changes_seconds']:.0f} s")
            res["depth_people_rows"] = n_people
            res["depth_change_rows"] = max_pos
            pages = {
                "people_first": f"{svc_url}/v1/people?limit=50",
                "people_deep": f"{svc_url}/v1/people?limit=50&cursor={b64cursor({'l': 'people', 'k': deep_person})}",
                "changes_first": f"{svc_url}/v1/affiliates/wa/changes?limit=50",
                "changes_deep": f"{svc_url}/v1/affiliates/wa/changes?limit=50&cursor="
                + b64cursor({"l": "changes", "k": [wa_id, max_pos - 50]}),
            }
            for name, url in pages.items():
                status, body = http("GET", url, token=token)
                n = len((body or {}).get("data") or [])
                if status != 200 or n != 50:
                    raise SystemExit(f"{name}: expected a page of 50, got {status} with {n} rows: {str(body)[:300]}")
            res["depth"] = {}
            # Alternate shallow and deep, twice, and keep each one's better run (less noise from the shared machine).
            for _ in range(2):
                for name, url in pages.items():
                    log(f"{backend}: {name}, {DEPTH_REQUESTS} requests")
                    r = oha(url, ["-n", str(DEPTH_REQUESTS), "-c", "2"], token)
                    prev = res["depth"].get(name)
                    if prev is None or r["p50_ms"] < prev["p50_ms"]:
                        res["depth"][name] = r
            res["rss_peak_kb"] = rss.peak_kb
        res["rss_hwm_kb"] = rss.read("VmHWM")
        return res
    finally:
        stop(base)
        stop(svc)
        if pg_name:
            drop_pg_database(pg_name)


# ---------------------------------------------------------------- cargo benches


def cargo_bench(name: str, db_url: str | None, extra: list[str] | None = None) -> str:
    env = os.environ.copy()
    env.pop("BENCH_DATABASE_URL", None)
    if db_url:
        env["BENCH_DATABASE_URL"] = db_url
    # Executables built by bench/run (`name=path` lines), run as `cargo bench` runs them.
    exes = dict(line.split("=", 1) for line in os.environ.get("BENCH_EXES", "").split() if "=" in line)
    if name in exes:
        cmd = [exes[name], "--bench", *(extra or [])]
    else:
        cmd = ["cargo", "bench", "--locked", "-q", "-p", "api", "--bench", name]
        if extra:
            cmd += ["--", *extra]
    log(f"bench {name}{' on PostgreSQL' if db_url else ' on SQLite' if name != 'engine' else ''}: {' '.join(cmd)}")
    with Background(f"bench {name}"):
        out = subprocess.run(cmd, cwd=os.path.join(ROOT, "api"), env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    sys.stderr.write(out.stdout)
    return out.stdout


def parse_sync(text: str) -> dict:
    res = {}
    for label, key in (("first run (create)", "first"), ("same requests again", "again")):
        m = re.search(re.escape(label) + r".*?= (\d+) records/s \(created (\d+), unchanged (\d+), updated (\d+), failed (\d+)\)", text)
        if m:
            res[key] = int(m.group(1))
            res[key + "_counts"] = [int(m.group(i)) for i in range(2, 6)]
    return res


def parse_renewals(text: str) -> dict:
    res = {}
    m = re.search(r"lapse job, first run: (\d+) lapsed in ([\d.]+) s", text)
    if m:
        res["lapse_first_n"], res["lapse_first_s"] = int(m.group(1)), float(m.group(2))
    m = re.search(r"lapse job, second run: (\d+) lapsed in ([\d.]+) s", text)
    if m:
        res["lapse_again_n"], res["lapse_again_s"] = int(m.group(1)), float(m.group(2))
    m = re.search(r"due list, first page of 50: (\d+) rows in ([\d.]+) s", text)
    if m:
        res["due_page_s"] = float(m.group(2))
    m = re.search(r"seeded (\d+) endorsees in ([\d.]+) s", text)
    if m:
        res["seed_s"] = float(m.group(2))
    return res


UNITS = {"ps": 1e-6, "ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}


def parse_engine(text: str) -> dict:
    """criterion's `name\\n   time:   [low mid high]` -> {name: mid in µs}."""
    res = {}
    for m in re.finditer(r"(evaluate [^\n]*?)\s*\n?\s*time:\s+\[([\d.]+) (\S+) ([\d.]+) (\S+) ([\d.]+) (\S+)\]", text):
        res[m.group(1).strip()] = float(m.group(4)) * UNITS.get(m.group(5), float("nan"))
    return res


# ---------------------------------------------------------------- the table


def machine() -> dict:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    model = sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1")
    mem_kb = int(sh("awk '/MemTotal/ {print $2}' /proc/meminfo") or 0)
    pg = psql(PG_ADMIN_URL, "SHOW server_version") if PG_ADMIN_URL else ""
    return {
        "cpus": sh("nproc"),
        "model": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": sh("uname -sr"),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "postgres": pg,
        "rustc": sh("rustc --version"),
        "oha": sh(f"'{OHA}' --version"),
        "loadavg_start": open("/proc/loadavg").read().split()[:3],
    }


def ms(x: float) -> str:
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms"


def thousands(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def verdict(values: list[bool | None], unmeasured: str = "") -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "not measured"
    if all(known):
        return "yes" + (f" ({unmeasured})" if unmeasured and len(known) < len(values) else "")
    return "**no**"


def build_table(m: dict, http_res: dict, benches: dict) -> tuple[str, list[str]]:
    backends = ["sqlite", "postgres"]
    missing = "SQLite only" if "postgres" not in http_res else ""
    rows = []
    notes = []

    def cell(b: str, f) -> str:
        r = http_res.get(b)
        if r is None:
            return "not run"
        try:
            return f(r)
        except (KeyError, ZeroDivisionError, TypeError, statistics.StatisticsError):
            return "n/a"

    def check(b: str, f) -> bool | None:
        r = http_res.get(b)
        if r is None:
            return None
        try:
            return bool(f(r))
        except (KeyError, ZeroDivisionError, TypeError):
            return None

    # 1. p99 at 1000 req/s
    def fixed_cell(r, key="fixed_service"):
        f = r[key]
        return f"p50 {ms(f['p50_ms'])}, p99 {ms(f['p99_ms'])}, {thousands(f['rps_ok'])} req/s, {f['errors']} errors"

    met = [check(b, lambda r: r["fixed_service"]["p99_ms"] < 10 and r["fixed_service"]["errors"] == 0) for b in backends]
    rows.append(
        [
            "`GET /v1/people/{id}`: p99 < 10 ms at 1 000 req/s",
            cell("sqlite", fixed_cell),
            cell("postgres", fixed_cell),
            verdict(met, missing),
        ]
    )
    rows.append(
        [
            "(reference: the bare baseline at 1 000 req/s)",
            cell("sqlite", lambda r: fixed_cell(r, "fixed_baseline")),
            cell("postgres", lambda r: fixed_cell(r, "fixed_baseline")),
            "",
        ]
    )

    def tput(r, key):
        return statistics.median(x["rps_ok"] for x in r[key])

    def ratio_cell(r):
        s, b = tput(r, "tput_service"), tput(r, "tput_baseline")
        errs = sum(x["errors"] for x in r["tput_service"] + r["tput_baseline"])
        e = f", {errs} errors" if errs else ""
        return f"{thousands(s)} vs {thousands(b)} req/s = **{100 * s / b:.0f}%**{e}"

    met = [check(b, lambda r: tput(r, "tput_service") >= 0.7 * tput(r, "tput_baseline")) for b in backends]
    rows.append(
        [
            "throughput ≥ 70% of bare actix-web + sqlx (same query, same run; service vs baseline, "
            f"{TPUT_CONNECTIONS} connections, median of {TPUT_ROUNDS})",
            cell("sqlite", ratio_cell),
            cell("postgres", ratio_cell),
            verdict(met, missing),
        ]
    )

    def healthz_cell(r):
        s, b = r["healthz_service"]["rps_ok"], r["healthz_baseline"]["rps_ok"]
        return f"{thousands(s)} vs {thousands(b)} req/s = {100 * s / b:.0f}%"

    rows.append(
        [
            "(diagnostic: the HTTP stacks alone, `GET /healthz` on both: no token, no database)",
            cell("sqlite", healthz_cell),
            cell("postgres", healthz_cell),
            "",
        ]
    )

    def cpu_cell(r):
        svc = statistics.median(x["server_cpu_us_per_request"] for x in r["tput_service"])
        base = statistics.median(x["server_cpu_us_per_request"] for x in r["tput_baseline"])
        tok = r["refused_bad_signature"]["server_cpu_us_per_request"] - r["refused_no_token"]["server_cpu_us_per_request"]
        hz = r["healthz_service"]["server_cpu_us_per_request"] - r["healthz_baseline"]["server_cpu_us_per_request"]
        return (
            f"{svc:.0f} vs {base:.0f} µs (+{svc - base:.0f}); for scale: a full check of an access token's "
            f"Ed25519 signature (bad signature, never remembered) {tok:.0f} µs, the HTTP middleware {hz:.0f} µs"
        )

    rows.append(
        [
            "(diagnostic: server CPU per request in the throughput runs, service vs baseline, database server's CPU not counted)",
            cell("sqlite", cpu_cell),
            cell("postgres", cpu_cell),
            "",
        ]
    )

    def depth_cell(r, kind):
        d = r["depth"]
        first, deep = d[f"{kind}_first"]["p50_ms"], d[f"{kind}_deep"]["p50_ms"]
        rows_n = r["depth_people_rows"] if kind == "people" else r["depth_change_rows"]
        return f"p50 {ms(first)} first page, {ms(deep)} at row {thousands(rows_n - 50)} (×{deep / first:.2f})"

    def depth_ok(r, kind):
        d = r["depth"]
        first, deep = d[f"{kind}_first"]["p50_ms"], d[f"{kind}_deep"]["p50_ms"]
        return deep <= 1.25 * first + 0.2

    for kind, label in (("people", "list `GET /v1/people?limit=50`"), ("changes", "change feed `GET …/changes?limit=50`")):
        met = [check(b, lambda r, k=kind: depth_ok(r, k)) for b in backends]
        rows.append(
            [
                f"{label}: page at the millionth row costs what the first does",
                cell("sqlite", lambda r, k=kind: depth_cell(r, k)),
                cell("postgres", lambda r, k=kind: depth_cell(r, k)),
                verdict(met, missing),
            ]
        )

    eng = benches.get("engine")
    if eng:
        worst = max(eng.values())
        desc = "; ".join(f"{k.replace('evaluate IMHM-C, ', '')}: {v:.1f} µs" for k, v in eng.items())
        rows.append(
            [
                "requirement evaluation of a full portfolio well under 1 ms CPU (criterion, median)",
                desc,
                "(no database)",
                "yes" if worst < 100 else ("yes" if worst < 1000 else "**no**"),
            ]
        )
    else:
        rows.append(["requirement evaluation well under 1 ms CPU", "not run", "not run", "not measured"])

    def sync_cell(b):
        s = benches.get(f"sync_{b}")
        if not s:
            return "not run"
        if "first" not in s:
            return "n/a"
        return f"{thousands(s['first'])} records/s created; {thousands(s.get('again', 0))} records/s unchanged resend"

    pg_sync = benches.get("sync_postgres") or {}
    rows.append(
        [
            "bulk sync of 100 000 records ≥ 10 000 records/s on PostgreSQL (2 requests of 1000 in flight)",
            sync_cell("sqlite"),
            sync_cell("postgres"),
            ("yes" if pg_sync["first"] >= 10000 else "**no**") if "first" in pg_sync else "not measured",
        ]
    )

    def renew_cell(b):
        s = benches.get(f"renewals_{b}")
        if not s:
            return "not run"
        if "lapse_first_s" not in s:
            return "n/a"
        return (
            f"lapse job {s['lapse_first_s']:.2f} s ({thousands(s['lapse_first_n'])} lapsed), "
            f"rerun {s['lapse_again_s']:.2f} s; due list page {s.get('due_page_s', float('nan')):.2f} s"
        )

    ren = [benches.get(f"renewals_{b}") for b in backends]
    ren_met = [(r["lapse_first_s"] < 60) if r and "lapse_first_s" in r else None for r in ren]
    rows.append(
        [
            "renewal evaluation for 100 000 endorsees in one set-based pass, seconds not minutes",
            renew_cell("sqlite"),
            renew_cell("postgres"),
            verdict(ren_met, missing),
        ]
    )

    def rss_cell(r):
        return f"peak {r['rss_peak_kb'] / 1024:.0f} MB under load (idle {r['rss_idle_kb'] / 1024:.0f} MB, high-water {r['rss_hwm_kb'] / 1024:.0f} MB)"

    met = [check(b, lambda r: r["rss_peak_kb"] < 100 * 1024) for b in backends]
    rows.append(["resident memory of the service under load < 100 MB", cell("sqlite", rss_cell), cell("postgres", rss_cell), verdict(met, missing)])

    for b in backends:
        r = http_res.get(b)
        if r and not r.get("same_document"):
            notes.append(f"{b}: the service and the baseline answered different documents for the same row (see the log).")

    head = ["budget (design.md)", "SQLite", "PostgreSQL " + (m.get("postgres") or ""), "met?"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    bg = []
    for prefix, what in (("http", "the HTTP measurements"), ("bench", "the cargo benches")):
        x = background_summary(prefix)
        if x:
            bg.append(f"{x[1]:.0f}% of its CPU on average (at most {x[0]:.0f}%) during {what}")
    mach = (
        f"Machine: {m['cpus']} CPUs ({m['model']}), {m['memory_gib']} GiB, {m['kernel']}; {m['rustc']}; {m['oha']}; "
        f"{m['date']}; load average at start {' '.join(m['loadavg_start'])}"
        + (f", at end {' '.join(m.get('loadavg_end', []))}" if m.get("loadavg_end") else "")
        + (" (BENCH_QUICK: short durations)" if QUICK else "")
        + ". Server, database and load generator share the machine"
        + (f"; other processes (builds, tests) took {', and '.join(bg)}" if bg else "")
        + "."
    )
    worst = max((b["other_pct"] for b in BACKGROUND), default=0.0)
    if worst > 10:
        notes.append(
            f"Other processes used up to {worst:.0f}% of the machine during a measurement: figures taken then are "
            "pessimistic; rerun on a quiet machine (see `background` in the JSON for which)."
        )
    return "\n".join(lines) + "\n\n" + mach + "\n", notes


def main() -> None:
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(RESULTS, exist_ok=True)
    started = time.time()
    m = machine()
    http_res: dict = {}
    benches: dict = {}
    only = os.environ.get("BENCH_ONLY", "")  # e.g. "http" or "cargo" to run one half
    if only in ("", "http"):
        http_res["sqlite"] = run_backend("sqlite")
        if PG_ADMIN_URL:
            http_res["postgres"] = run_backend("postgres")
    if only in ("", "cargo") and not SKIP_CARGO:
        extra = ["--warm-up-time", "1", "--measurement-time", "2"] if QUICK else None
        benches["engine"] = parse_engine(cargo_bench("engine", None, extra))
        benches["sync_sqlite"] = parse_sync(cargo_bench("sync", None))
        benches["renewals_sqlite"] = parse_renewals(cargo_bench("renewals", None))
        if PG_ADMIN_URL:
            for name in ("sync", "renewals"):
                db = f"endorse_bench_{name}"
                url = fresh_pg_database(db)
                try:
                    parse = parse_sync if name == "sync" else parse_renewals
                    benches[f"{name}_postgres"] = parse(cargo_bench(name, url))
                finally:
                    drop_pg_database(db)
    m["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    m["minutes"] = round((time.time() - started) / 60, 1)
    table, notes = build_table(m, http_res, benches)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(RESULTS, f"{stamp}.json"), "w") as f:
        json.dump(
            {"machine": m, "http": http_res, "benches": benches, "background": BACKGROUND, "quick": QUICK}, f, indent=2
        )
    with open(os.path.join(RESULTS, f"{stamp}.md"), "w") as f:
        f.write(table)
        for n in notes:
            f.write(f"\n- {n}")
    print(table)
    for n in notes:
        print(f"- {n}")
    log(f"done in {m['minutes']} min; results in bench/results/{stamp}.md and .json")


if __name__ == "__main__":
    main()
