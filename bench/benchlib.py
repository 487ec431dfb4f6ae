"""Shared helpers of the benchmarks: fresh databases, the gunicorn server, timing statistics, tables.

Nothing here changes product code: the benchmarks drive the app through its services, its CLI and its
JSON API exactly as an operator or a client would.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BPMN_DIR = BENCH / "bpmn"
VENV_BIN = Path(sys.executable).parent
PASSWORD = "demo-pass-2026"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# -- statistics and tables ------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank style percentile with linear interpolation (q in 0..100)."""
    if not values:
        return float("nan")
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def ms(seconds: float) -> float:
    return seconds * 1000.0


@dataclass
class Samples:
    """Durations in seconds under one name."""
    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values.append(seconds)

    def p(self, q: float) -> float:
        return ms(percentile(self.values, q))

    @property
    def median(self) -> float:
        return ms(statistics.median(self.values)) if self.values else float("nan")

    @property
    def mean(self) -> float:
        return ms(statistics.fmean(self.values)) if self.values else float("nan")

    def __len__(self) -> int:
        return len(self.values)


def fmt(value: Any, digits: int = 2) -> str:
    if isinstance(value, float):
        if value != value:  # nan
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
              for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(
            (v.ljust(w) if i == 0 else v.rjust(w)) for i, (v, w) in enumerate(zip(values, widths))) + " |"

    out = []
    if title:
        out.append(f"\n### {title}\n")
    out.append(line([str(h) for h in headers]))
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out += [line(r) for r in cells]
    return "\n".join(out)


def verdict(measured: float, target: float, *, lower_is_better: bool = True) -> str:
    if measured != measured:
        return "n/a"
    ok = measured <= target if lower_is_better else measured >= target
    return "PASS" if ok else "MISS"


# -- databases ------------------------------------------------------------------------------------
@dataclass
class Database:
    kind: str            # sqlite | postgresql
    url: str             # as the app's DATABASE_URL takes it
    _cleanup: Any = None

    @property
    def sqlalchemy_url(self) -> str:
        if self.url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.url[len("postgresql://"):]
        return self.url

    def drop(self) -> None:
        if self._cleanup:
            self._cleanup()
            self._cleanup = None


def _pg_admin():
    import psycopg
    return psycopg.connect(PG_ADMIN_URL, autocommit=True)


def fresh_database(kind: str, label: str = "bench") -> Database:
    """A new empty database: a file in a temp folder (SQLite) or a new database (PostgreSQL)."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"wf-{label}-")
        return Database("sqlite", f"sqlite:///{folder}/bench.sqlite",
                        lambda: shutil.rmtree(folder, ignore_errors=True))
    if kind in ("postgresql", "postgres", "pg"):
        name = f"wf_{label}_{os.getpid()}_{secrets.token_hex(3)}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            # An experiment knob, not a default: BENCH_PG_SYNC_COMMIT=off makes PostgreSQL commit without
            # waiting for the WAL flush, as the app's SQLite (WAL, synchronous=NORMAL) does.
            setting = os.environ.get("BENCH_PG_SYNC_COMMIT")
            if setting:
                conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = {setting}')
                print(f"(PostgreSQL database {name}: synchronous_commit = {setting})", file=sys.stderr)
        base = PG_ADMIN_URL.rsplit("/", 1)[0]

        def drop() -> None:
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return Database("postgresql", f"{base}/{name}", drop)
    raise SystemExit(f"unknown database kind {kind!r} (sqlite or postgresql)")


def app_env(db: Database, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": db.url,
        "BPMN_DIRS": str(BPMN_DIR),
        "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-secret-key-not-for-production"),
        "PYTHONPATH": str(REPO),
    })
    env.pop("CELERY_BROKER_URL", None)
    env.update(extra)
    return env


def flask_cli(db: Database, *args: str, env: dict[str, str] | None = None) -> str:
    cmd = [str(VENV_BIN / "flask"), "--app", "workflow_app", *args]
    done = subprocess.run(cmd, cwd=REPO, env=env or app_env(db), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(db: Database) -> None:
    """`flask db upgrade` and `flask seed-demo` (which also deploys bench/bpmn via BPMN_DIRS)."""
    flask_cli(db, "db", "upgrade")
    flask_cli(db, "seed-demo")


@contextlib.contextmanager
def database(kind: str, label: str, keep: bool = False) -> Iterator[Database]:
    db = fresh_database(kind, label)
    try:
        prepare_database(db)
        yield db
    finally:
        if keep:
            print(f"(kept database {db.url})", file=sys.stderr)
        else:
            db.drop()


def make_app(db: Database, **overrides: Any):
    """The Flask app in this process, on the given database, with the bench models deployed."""
    os.environ["BPMN_DIRS"] = str(BPMN_DIR)
    from workflow_app import create_app
    config = {"SQLALCHEMY_DATABASE_URI": db.sqlalchemy_url, "SECRET_KEY": "bench", "EXPERT_DRAW_SEED": "42"}
    config.update(overrides)
    return create_app(config)


# -- gunicorn -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn -w N -b 127.0.0.1:PORT 'workflow_app:create_app()'` as a subprocess."""

    def __init__(self, db: Database, workers: int = 1, port: int | None = None, log: Path | None = None) -> None:
        self.db = db
        self.workers = workers
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = log or Path(tempfile.mkstemp(prefix="wf-gunicorn-", suffix=".log")[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(VENV_BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                "--log-level", "warning", "workflow_app:create_app()"]

    def start(self) -> Gunicorn:
        env = app_env(self.db)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command(), cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        import requests
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); log: {self.log_path}\n"
                                 + self.log_path.read_text()[-3000:])
            try:
                if requests.get(self.base + "/api/v1/openapi.json", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within 60 s; log: {self.log_path}")

    def worker_pids(self) -> list[int]:
        import psutil
        if self.proc is None:
            return []
        try:
            return [c.pid for c in psutil.Process(self.proc.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def worker_rss_mb(self) -> list[float]:
        import psutil
        out = []
        for pid in self.worker_pids():
            try:
                out.append(psutil.Process(pid).memory_info().rss / 2**20)
            except psutil.NoSuchProcess:
                pass
        return out

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self._log.close()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# -- Celery workers -------------------------------------------------------------------------------
def start_celery_workers(env: dict[str, str], count: int, concurrency: int, name: str,
                         queue: str | None = None) -> tuple[list[subprocess.Popen], list[Any]]:
    """`count` worker processes of the product (`celery -A workflow_app.celery_entry worker`), each logging to a
    file of its own; stop them with `stop_processes`."""
    procs: list[subprocess.Popen] = []
    logs: list[Any] = []
    for n in range(count):
        log = tempfile.NamedTemporaryFile("w", prefix=f"wf-{name}-celery-{n}-", suffix=".log", delete=False)
        logs.append(log)
        procs.append(subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "workflow_app.celery_entry", "worker", "-n", f"{name}{n}@%h",
             *(["-Q", queue] if queue else []), "--concurrency", str(concurrency), "--loglevel", "warning",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    return procs, logs


def wait_for_workers(celery_app, expected: int, procs, logs, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            text = "\n".join(Path(log.name).read_text()[-2000:] for log in logs)
            raise SystemExit(f"a celery worker exited at start:\n{text}")
        replies = celery_app.control.ping(timeout=1) or []
        if len(replies) >= expected:
            return
        time.sleep(0.5)
    raise SystemExit(f"celery workers did not answer within {timeout} s; logs: {[log.name for log in logs]}")


def stop_processes(procs, logs) -> None:
    """SIGTERM (a warm shutdown for Celery), SIGKILL after 30 s; then close their logs."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for log in logs:
        log.close()


# -- API client -----------------------------------------------------------------------------------
class _Response:
    def __init__(self, status: int, content: bytes) -> None:
        self.status_code = status
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Api:
    """A JSON client logged in as one user; records request durations.

    Plain `http.client`, one connection per request (gunicorn's sync worker closes every connection
    anyway): the lightest client the standard library has, so that the figures are the server's. On
    this 2-core machine `requests` spends 2-2.5 ms of its own per call (GET /healthz: 3.6-3.9 ms through
    a requests.Session, 1.75 ms through http.client, 1.1 ms over a raw socket), which would be counted
    in every latency and would cap the lifecycles per second of one client."""

    def __init__(self, base: str, username: str, recorder: dict[str, Samples] | None = None) -> None:
        address = urllib.parse.urlsplit(base)
        self.host, self.port = address.hostname, address.port
        self.base = base
        self.username = username
        self.recorder = recorder if recorder is not None else {}
        self.headers: dict[str, str] = {}
        response = self._send("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
        if response.status_code != 200:
            raise SystemExit(f"login of {username} failed: {response.status_code} {response.text[:300]}")
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def _send(self, method: str, path: str, body: Any = None) -> _Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            headers = dict(self.headers)
            payload = None
            if body is not None:
                payload = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return _Response(response.status, response.read())
        finally:
            connection.close()

    def _timed(self, label: str | None, method: str, path: str, body: Any = None) -> _Response:
        started = time.perf_counter()
        response = self._send(method, path, body)
        elapsed = time.perf_counter() - started
        if label:
            self.recorder.setdefault(label, Samples()).add(elapsed)
        return response

    def get(self, path: str, label: str | None = None, expect: int = 200) -> Any:
        response = self._timed(label, "GET", path)
        if response.status_code != expect:
            raise RuntimeError(f"GET {path} as {self.username}: {response.status_code} {response.text[:500]}")
        return response.json()

    def post(self, path: str, body: Any = None, label: str | None = None, expect: int = 200) -> Any:
        response = self._timed(label, "POST", path, body)
        if response.status_code != expect:
            raise RuntimeError(f"POST {path} as {self.username}: {response.status_code} {response.text[:500]}")
        return response.json()

    # the conveniences of tests/conftest.py's ApiClient
    def tasks(self, scope: str = "mine", label: str | None = "GET /api/v1/tasks", **params: Any) -> list[dict]:
        query = "&".join(f"{k}={v}" for k, v in {"scope": scope, **params}.items())
        return self.get(f"/api/v1/tasks?{query}", label)["items"]

    def task_named(self, name: str, **params: Any) -> dict:
        for scope in ("mine", "group"):
            found = [t for t in self.tasks(scope, **params) if t["name"] == name]
            if found:
                return found[0]
        raise RuntimeError(f"{self.username} has no task {name} ({params})")

    def complete(self, task_id: int, data: dict[str, Any]) -> Any:
        return self.post(f"/api/v1/tasks/{task_id}/complete", {"data": data},
                         label="POST /api/v1/tasks/<id>/complete")


def rss_mb(pid: int) -> float:
    import psutil
    return psutil.Process(pid).memory_info().rss / 2**20


def run_cmdline() -> str:
    return " ".join([Path(sys.executable).name, *sys.argv])


def code_version() -> str:
    """The commit under test and whether product files differ from it (others edit the tree meanwhile)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "workflow_app", "forms", "bpmn", "migrations"],
                               cwd=REPO, capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return "unknown (no git)"
    if not head:
        return "unknown (not a git checkout)"
    return f"{head}" + (f" + {len(dirty)} uncommitted product file(s)" if dirty else " (clean)")


def wait_for_idle() -> str:
    """The machine is shared (other sessions run test suites): wait until it is quiet before measuring.

    BENCH_WAIT_IDLE = seconds to wait at most (default 600, 0 = do not wait); BENCH_IDLE_PCT = the
    system-wide CPU use (%, over 3 s) counted as quiet (default 15).
    """
    import psutil
    limit = float(os.environ.get("BENCH_WAIT_IDLE", "600"))
    quiet = float(os.environ.get("BENCH_IDLE_PCT", "15"))
    deadline = time.monotonic() + limit
    busy = psutil.cpu_percent(interval=3)
    waited = 0.0
    started = time.monotonic()
    while busy > quiet and time.monotonic() < deadline:
        print(f"(machine busy: {busy:.0f}% CPU by other processes; waiting for it to calm down)",
              file=sys.stderr, flush=True)
        time.sleep(10)
        busy = psutil.cpu_percent(interval=3)
        waited = time.monotonic() - started
    note = f"{busy:.0f}% CPU busy before the start"
    if waited:
        note += f" (after waiting {waited:.0f} s)"
    if busy > quiet:
        note += " — WARNING: other load was running, figures are pessimistic"
    return note


class ForeignLoad:
    """CPU time used during the run by processes that are neither this benchmark's (gunicorn, celery, ...
    are its children) nor the database/broker servers: other sessions' test suites on the shared machine."""

    SERVERS = ("postgres", "redis-server")

    def __init__(self, interval: float = 2.0) -> None:
        import threading
        self.interval = interval
        self.started = time.monotonic()
        self.seen: dict[int, float] = {}
        self.foreign_seconds = 0.0
        self.stop_flag = threading.Event()
        self._sample(first=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _ours(self) -> set[int]:
        import psutil
        me = psutil.Process()
        try:
            return {me.pid, *(c.pid for c in me.children(recursive=True))}
        except psutil.Error:
            return {me.pid}

    def _sample(self, first: bool = False) -> None:
        import psutil
        ours = self._ours()
        for proc in psutil.process_iter(["pid", "name", "cpu_times"]):
            info = proc.info
            times = info.get("cpu_times")
            if times is None or info["pid"] in ours or (info.get("name") or "").startswith(self.SERVERS):
                continue
            used = times.user + times.system
            before = self.seen.get(info["pid"])
            self.seen[info["pid"]] = used
            if not first:
                # a process started during the run counts from 0; one seen before counts its delta
                self.foreign_seconds += used - before if before is not None else used

    def _run(self) -> None:
        while not self.stop_flag.wait(self.interval):
            try:
                self._sample()
            except Exception:  # noqa: BLE001 - monitoring must never break a benchmark
                pass

    def note(self) -> str:
        self.stop_flag.set()
        wall = time.monotonic() - self.started
        cores = self.foreign_seconds / wall if wall else 0.0
        text = f"other processes used {cores:.2f} of {os.cpu_count()} cores on average during the run"
        if cores > 0.15:
            text += " — WARNING: the machine was shared, figures are pessimistic"
        return text


_MONITOR: ForeignLoad | None = None


def load_note() -> str:
    one, five, _ = os.getloadavg()
    text = f"load average at the end: {one:.2f} (1 min), {five:.2f} (5 min)"
    if _MONITOR is not None:
        text += "; " + _MONITOR.note()
    return text


def server_cpu_seconds(worker_pids: list[int], db: Database | None) -> tuple[float, float]:
    """CPU time (user+system) used so far by the given worker processes, and by the PostgreSQL backends
    connected to the database (their process title names it). Robust to a shared machine, unlike wall time."""
    import psutil
    app = 0.0
    for pid in worker_pids:
        try:
            t = psutil.Process(pid).cpu_times()
            app += t.user + t.system
        except psutil.Error:
            pass
    backends = 0.0
    if db is not None and db.kind == "postgresql":
        name = db.url.rsplit("/", 1)[1]
        for proc in psutil.process_iter(["name", "cmdline"]):
            try:
                title = " ".join(proc.info.get("cmdline") or [])
                if (proc.info.get("name") or "").startswith("postgres") and f" {name} " in f" {title} ":
                    t = proc.cpu_times()
                    backends += t.user + t.system
            except psutil.Error:
                pass
    return app, backends


def _terminate(signum, frame):  # SIGTERM: unwind, so that servers are stopped and databases dropped
    raise SystemExit(128 + signum)


def python_speed_ms() -> float:
    """Milliseconds this machine takes for a fixed pure-Python loop (10 million additions; median of 5).

    The VMs these benchmarks run on differ in speed by more than 2x from one day to the next; printing
    this beside every figure lets runs on different machines be compared (divide by it)."""
    def loop() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        return (time.perf_counter() - started) * 5000
    return statistics.median(loop() for _ in range(5))


def header(title: str) -> None:
    global _MONITOR
    import signal as _signal
    _signal.signal(_signal.SIGTERM, _terminate)
    idle = wait_for_idle()
    speed = python_speed_ms()
    _MONITOR = ForeignLoad()
    print(f"# {title}\n\ncommand: `{run_cmdline()}`  \ncode: {code_version()}  \n"
          f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; {idle}; "
          f"speed: a 10M-addition Python loop takes {speed:.0f} ms", flush=True)


# -- the goal review flow of tests/goal_flow.py ---------------------------------------------------
try:  # drive the review with the same bodies as the test suite when it is importable
    from tests.goal_flow import goals as goal_body  # type: ignore
except Exception:  # pragma: no cover - a copy of tests/goal_flow.py's body
    import copy as _copy
    _INDICATORS = [
        {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "operator": ">=", "target": "3000",
         "unit": "人次", "weight": 40},
        {"level1": "产出指标", "level2": "质量指标", "name": "培训合格率", "operator": ">=", "target": "90",
         "unit": "%", "weight": 20},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "促进城乡劳动者就业", "operator": "定性",
         "target": "明显提升", "unit": "", "weight": 30},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "学员满意度", "operator": ">=",
         "target": "90", "unit": "%", "weight": 10},
    ]

    def goal_body(**changes: Any) -> dict[str, Any]:
        body = {"overall_goal": "全年开展就业技能培训3000人次，培训合格率达到90%以上。",
                "indicators": _copy.deepcopy(_INDICATORS)}
        body.update(changes)
        return body


def expert_scores(total: int) -> dict[str, int]:
    per = [total // 4 + (1 if i < total % 4 else 0) for i in range(4)]
    return dict(zip(("completeness", "relevance", "scientific", "measurable"), per))


# The excellent path of tests/test_goal_review.py: (task name, who does it, body). "filer"/"head" are the
# project's department users; "experts" stands for each drawn expert in turn.
GOAL_REVIEW_STEPS: list[tuple[str, str, Any]] = [
    ("draft_goals", "filer", lambda: goal_body()),
    ("dept_signoff", "head", lambda: {"approved": True, "opinion": "同意报送"}),
    ("formal_check", "jxk", lambda: {"complete": True, "opinion": "要素齐全"}),
    ("finance_review", "sbk", lambda: {"grade": "优", "opinion": "财政意见"}),
    ("authority_review", "head", lambda: {"grade": "优", "opinion": "主管部门意见"}),
    ("expert_review", "experts", lambda: {"grade": "良", "opinion": "专家意见", "scores": expert_scores(95)}),
    ("consolidate", "jxk", lambda: {"grade": "优", "opinion": "目标明确", "control_amount": 300}),
    ("revise_goals", "filer", lambda: goal_body(amount=300)),
    ("final_review", "jxk", lambda: {"approved": True, "opinion": "批复"}),
]

# The demo projects with their department's users (the authority is the head: no competent department).
DEMO_PROJECT_USERS = [
    ("2027-RSJ-001", "rsj_filer", "rsj_head"),
    ("2027-SLJ-001", "slj_filer", "slj_head"),
    ("2027-TJJ-001", "tjj_filer", "tjj_head"),
    ("2027-CJL-001", "cjl_filer", "cjl_head"),
]
