#!/usr/bin/env python
"""Load: 50 simulated people doing their real journeys for 60 s against the production setup.

Setup: a fresh PostgreSQL database (`flask --app workflow_app db upgrade` + `seed-demo`, BPMN_DIRS=bench/bpmn),
the extra accounts the roster needs (more departments with two filers and a head, more experts, more
performance-section, finance and supervisor staff: created with the services the `departments create` and
`users create` commands call), then

  gunicorn -w 2 'workflow_app:create_app()'                     the web workers (sync, like production)
  celery -A workflow_app.celery_entry worker --pool=solo         on a Redis broker (an empty Redis database)
  an SMTP sink in this process (SMTP_HOST/SMTP_PORT)             so every notification becomes a Celery mail job
  `workflow_app.fire_due_timers` sent every --timer-every s      what beat does (every 60 s in production)

Every simulated person logs in once (POST /api/v1/auth/token, not timed), then loops until the clock runs out:
look at the inbox (GET /api/v1/tasks?scope=mine, then scope=group; the unread notifications now and then),
take a task of theirs (one of the first three; claim it first half of the time), look at what it is about
(instance or project), complete it with valid data, think (0..--think-ms). The performance section first
starts a rectification on 8% of its looks (at most two of its own running; half of them due in two days, so
the deadline reminder timer fires during the run). With nothing to do: filers create a project and start its
goal review (at most --open-per-filer of their own running), supervisors read their board; then they wait
(--idle-ms). Decisions are drawn so that every branch of the goal review (send back at
sign-off and formal check, grade 中 with a second joint review, 差, final review sent back) and of the
rectification (plan rejected, progress not done, audit returned) is taken now and then.

Counted: every request with its latency and status. 409 on a claim, or on completing a group task one did
not claim, is an expected conflict (two people of one queue took the same task; the loser is told so); a 409
on a task one holds, any other 4xx, every 5xx and every connection error is an error. After the run (and once the mail queue has drained): every action the clients
saw succeed is looked up in the database and in the audit trail (a completion: its human_tasks row
completed by that user and exactly one "complete" audit event by that user; claims, starts, projects,
uploads: their audit event); anything missing is a lost action. Then `flask --app workflow_app audit verify`.
Exit status 1 if there were errors, lost actions, unmailed notifications or a broken audit chain.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
# bench/http.py must not shadow the standard library's `http` (requests imports it).
sys.path[:] = [p for p in sys.path if p not in ("", _HERE)] + [_HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socketserver  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from typing import Any, NamedTuple  # noqa: E402

from benchlib import (PASSWORD, REPO, VENV_BIN, Database, Gunicorn, app_env, database, free_port,  # noqa: E402
                      goal_body, header, load_note, make_app, percentile, server_cpu_seconds, table)

# -- who is simulated ---------------------------------------------------------------------------------
DEMO_DEPARTMENTS = ["rsj", "slj", "tjj", "xmz", "cjl"]
NEW_DEPARTMENTS = [("jyj", "县教育局"), ("wjj", "县卫生健康委员会"), ("jtj", "县交通运输局"),
                   ("zjj", "县住房和城乡建设局"), ("wlj", "县文化广电和旅游局")]
COMPETENT = {"xmz": "nyj"}  # as in the demo county: the livestock centre's competent department
DEMO_USERS = {"jxk", "sbk", "nyk", "supervisor", "nyj_head", *(f"expert{i}" for i in range(1, 6)),
              *(f"{d}_{r}" for d in DEMO_DEPARTMENTS for r in ("filer", "head"))}


class Account(NamedTuple):
    username: str
    kind: str              # filer | head | section | finance | expert | supervisor
    department: str        # department code


def department_codes() -> list[str]:
    """Demo departments first, then named new ones, then numbered ones for very large rosters."""
    return DEMO_DEPARTMENTS + [c for c, _ in NEW_DEPARTMENTS] + [f"ld{n:02d}" for n in range(11, 100)]


def department_name(code: str) -> str:
    return dict(NEW_DEPARTMENTS).get(code) or f"负载测试部门{code[2:]}"


def roster(n: int) -> list[Account]:
    """n people in realistic proportions. Every expert account in the database must be simulated (the
    joint review draws from all of them), so there are at least the five demo experts."""
    section, finance = max(1, round(n * 0.08)), max(1, round(n * 0.06))
    experts, supervisors = max(5, round(n * 0.2)), max(1, round(n * 0.04))
    left = n - section - finance - experts - supervisors
    if left < 2:
        raise SystemExit(f"--users {n} is too few: at least {n - left + 2} are needed (5 experts + one of each role)")
    people: list[Account] = []
    people += [Account("jxk" if i == 0 else f"jxk{i + 1}", "section", "czj-jxk") for i in range(section)]
    people += [Account(["sbk", "nyk"][i] if i < 2 else f"sbk{i}", "finance", "czj-sbk" if i != 1 else "czj-nyk")
               for i in range(finance)]
    people += [Account("supervisor" if i == 0 else f"supervisor{i + 1}", "supervisor", "dcs")
               for i in range(supervisors)]
    departments: list[str] = []
    wanted = max(1, left // 3)  # departments with two filers and a head each
    for code in department_codes():  # a filer and a head per department (+ the competent head)
        need = 2 + (1 if code in COMPETENT else 0)
        if len(departments) == wanted or need > left:
            break
        people += [Account(f"{code}_filer", "filer", code), Account(f"{code}_head", "head", code)]
        if code in COMPETENT:
            people.append(Account(f"{COMPETENT[code]}_head", "head", COMPETENT[code]))
        departments.append(code)
        left -= need
    for code in departments:  # second filers: two people racing for their department's queue
        if left == 0:
            break
        people.append(Account(f"{code}_filer2", "filer", code))
        left -= 1
    people += [Account(f"expert{i + 1}", "expert", "zjk") for i in range(experts + left)]
    return people


def create_accounts(db: Database, people: list[Account]) -> int:
    """Departments and users the demo county lacks, through the services of `departments create` and
    `users create` (in-process: thirty CLI start-ups would take a minute). One hash for the shared password."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from workflow_app.extensions import db as sadb
    from workflow_app.models import Department
    from workflow_app.services.org import create_department, create_user

    roles = {"filer": "department_filer", "head": "department_head", "section": "performance_section",
             "finance": "finance_business", "expert": "expert", "supervisor": "supervisor"}
    app = make_app(db)
    created = 0
    with app.app_context():
        have = {d.code for d in sadb.session.scalars(select(Department))}
        for person in people:
            if person.department not in have:
                create_department(person.department, department_name(person.department), None)
                have.add(person.department)
        hashed = generate_password_hash(PASSWORD)
        for person in people:
            if person.username not in DEMO_USERS:
                create_user(person.username, PASSWORD, [roles[person.kind]], person.department,
                            f"负载 {person.username}", email=f"{person.username}@load.example.gov.cn",
                            password_hash=hashed)
                created += 1
        sadb.session.commit()
        sadb.session.remove()
        sadb.engine.dispose()
    return created


# -- recording ---------------------------------------------------------------------------------------
class Rec(NamedTuple):
    at: float          # time.time() when the request was sent
    kind: str          # endpoint kind, e.g. "POST /tasks/<id>/complete"
    task: str          # BPMN task name for claims and completions, else ""
    status: int        # HTTP status; 0 = no response (connection error, timeout)
    seconds: float
    outcome: str       # ok | conflict | error
    user: str
    detail: str        # for errors: the request and the start of the answer


class Action(NamedTuple):
    """Something the client was told succeeded, to be found in the database afterwards."""
    kind: str          # complete | claim | start | rectification | project | upload
    object_id: int
    user: str


@dataclass
class Settings:
    base: str
    duration: float
    think_ms: float
    idle_ms: float
    claim_share: float
    open_per_filer: int
    seed: int
    departments: list[str]
    timeout: float = 60.0


# -- one simulated person ----------------------------------------------------------------------------
GRADES = ["优", "良", "中", "差"]
GRADE_WEIGHTS = [45, 38, 13, 4]
TOTALS = {"优": (90, 100), "良": (80, 89), "中": (60, 79), "差": (30, 59)}
TASKS_OF = {
    "filer": ("draft_goals", "revise_goals", "submit_plan", "report_progress"),
    "head": ("dept_signoff", "authority_review"),
    "section": ("formal_check", "consolidate", "final_review", "review_plan", "apply_result"),
    "finance": ("finance_review",),
    "expert": ("expert_review",),
    "supervisor": ("audit",),
}
RECTIFY_RATE = 0.08                 # share of a section person's inbox looks that first consider a rectification
RECTIFICATIONS_PER_SECTION = 2      # running rectifications each section person keeps at most
CONTROL_AMOUNT = 300  # the control number (控制数) the section sets; revisions ask for at most this much
PDF = b"%PDF-1.4\n%load bench evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Person:
    def __init__(self, account: Account, settings: Settings, index: int) -> None:
        import requests
        self.account, self.s = account, settings
        self.user = account.username
        self.rng = random.Random(settings.seed * 1000 + index)
        self.session = requests.Session()
        self.records: list[Rec] = []
        self.actions: list[Action] = []
        self.finished: Counter[str] = Counter()   # instances this person's completion ended, by outcome
        self.seq = 0
        self.headers: dict[str, str] = {}

    # -- HTTP -------------------------------------------------------------------------------------------
    def login(self) -> None:
        for attempt in range(5):  # before the clock: a busy server may be slow to hash 50 passwords
            try:
                r = self.session.post(self.s.base + "/api/v1/auth/token",
                                      json={"username": self.user, "password": PASSWORD}, timeout=60)
                if r.status_code == 200:
                    self.headers = {"Authorization": f"Bearer {r.json()['token']}"}
                    return
                raise RuntimeError(f"login of {self.user}: {r.status_code} {r.text[:200]}")
            except Exception:  # noqa: BLE001 - retried, then reported
                if attempt == 4:
                    raise
                time.sleep(1)

    def call(self, kind: str, method: str, path: str, *, expect: int = 200, may_conflict: bool = False,
             task: str = "", **kw: Any) -> tuple[int, Any]:
        import requests
        sent, started = time.time(), time.perf_counter()
        body: Any = None
        try:
            r = self.session.request(method, self.s.base + path, headers=self.headers, timeout=self.s.timeout, **kw)
            status, text = r.status_code, r.text
            if r.headers.get("Content-Type", "").startswith("application/json"):
                body = r.json()
                text = json.dumps(body, ensure_ascii=False)  # readable Chinese messages in the report
        except requests.RequestException as error:
            status, text = 0, repr(error)
        seconds = time.perf_counter() - started
        if status == expect:
            outcome = "ok"
        elif status == 409 and may_conflict:
            outcome = "conflict"
        else:
            outcome = "error"
        detail = f"{method} {path} as {self.user} -> {status}: {text[:400]}" if outcome == "error" else ""
        self.records.append(Rec(sent, kind, task, status, seconds, outcome, self.user, detail))
        return status, body

    def get(self, kind: str, path: str) -> Any:
        status, body = self.call(kind, "GET", path)
        return body if status == 200 else None

    # -- the loop ---------------------------------------------------------------------------------------
    def run(self, start_at: float, end_at: float) -> None:
        time.sleep(max(0.0, start_at - time.time()) + self.rng.uniform(0, 0.5))  # do not all knock at once
        while time.time() < end_at:
            try:
                busy = self.step()
            except Exception as error:  # noqa: BLE001 - a client bug must not look like a server error
                self.records.append(Rec(time.time(), "client exception", "", -1, 0.0, "error", self.user,
                                        f"{type(error).__name__}: {error}"))
                busy = False
            pause = self.rng.uniform(0, self.s.think_ms) if busy else self.rng.uniform(self.s.idle_ms / 2,
                                                                                        self.s.idle_ms)
            time.sleep(min(pause / 1000, max(0.0, end_at - time.time())))

    def step(self) -> bool:
        """One look at the inbox and, if there is something of mine, do it. True if something was done."""
        if self.rng.random() < 0.15:
            self.get("GET /notifications", "/api/v1/notifications?unread=true&limit=10")
        if self.account.kind == "section" and self.rng.random() < RECTIFY_RATE:
            # the section issues rectifications besides its reviews: a busy queue must not stop that
            if self.maybe_start_rectification():
                return True
        mine = self.get("GET /tasks?scope=mine", "/api/v1/tasks?scope=mine&limit=20")
        handled = TASKS_OF[self.account.kind]
        if mine:
            items = [t for t in mine["items"] if t["name"] in handled]
            if items:
                self.work_on(items[0], held=True)
                return True
        if self.account.kind != "expert":  # experts only ever have tasks assigned by name
            group = self.get("GET /tasks?scope=group", "/api/v1/tasks?scope=group&limit=20")
            if group:
                items = [t for t in group["items"] if t["name"] in handled]
                if items:
                    self.work_on(self.rng.choice(items[:3]), held=False)
                    return True
        return self.when_idle()

    def work_on(self, task: dict[str, Any], held: bool) -> None:
        """Complete the task; `held`: it is mine already (assigned, or claimed by me)."""
        if not held and self.rng.random() < self.s.claim_share:
            status, _ = self.call("POST /tasks/<id>/claim", "POST", f"/api/v1/tasks/{task['id']}/claim",
                                  may_conflict=True, task=task["name"])
            if status != 200:
                return
            self.actions.append(Action("claim", task["id"], self.user))
            held = True
        data = getattr(self, "data_" + task["name"])(task)
        if data is None:  # the person looked and found nothing to do after all
            return
        # Only a task nobody held can be lost to someone faster: a 409 on a task I hold is an error.
        status, body = self.call("POST /tasks/<id>/complete", "POST", f"/api/v1/tasks/{task['id']}/complete",
                                 json={"data": data}, may_conflict=not held, task=task["name"])
        if status == 200:
            self.actions.append(Action("complete", task["id"], self.user))
            if body and body["instance"]["status"] == "completed":
                self.finished[f"{task['process']} ended by {task['name']}"] += 1

    def when_idle(self) -> bool:
        if self.account.kind == "filer":
            return self.maybe_start_goal_review()
        if self.account.kind == "supervisor" and self.rng.random() < 0.3:
            self.get("GET /rectifications", "/api/v1/rectifications?status=auditing&limit=20")
        return False

    # -- starting work ----------------------------------------------------------------------------------
    def open_started(self, process: str) -> int:
        started = self.get("GET /tasks?scope=started", f"/api/v1/tasks?scope=started&process={process}&limit=100")
        return len({t["instance_id"] for t in started["items"]}) if started else 0

    def maybe_start_goal_review(self) -> bool:
        if self.open_started("goal_review") >= self.s.open_per_filer:
            return False
        dept = self.account.department
        self.seq += 1
        body = {"code": f"L-{self.user}-{self.seq:04d}"[:40], "name": f"负载测试项目 {self.user} #{self.seq}",
                "department": dept, "fiscal_year": 2027, "amount": 320,
                "fund_source": self.rng.choice(["general", "fund", "state_capital"]),
                "kind": self.rng.choice(["project", "policy"])}
        if dept in COMPETENT:
            body["competent_department"] = COMPETENT[dept]
        status, project = self.call("POST /projects", "POST", "/api/v1/projects", expect=201, json=body)
        if status != 201:
            return True
        self.actions.append(Action("project", project["id"], self.user))
        status, started = self.call("POST /projects/<id>/goal-review", "POST",
                                    f"/api/v1/projects/{project['id']}/goal-review", expect=201)
        if status == 201:
            self.actions.append(Action("start", started["instance_id"], self.user))
        return True

    def maybe_start_rectification(self) -> bool:
        if self.open_started("rectification") >= RECTIFICATIONS_PER_SECTION:
            return False
        dept = self.rng.choice(self.s.departments)
        projects = self.get("GET /projects", f"/api/v1/projects?fiscal_year=2027&department={dept}&limit=50")
        if not projects or not projects["items"]:
            return False
        project = self.rng.choice(projects["items"])
        # Half are due in two days: inside the reminder window, so the reminder timer fires in the run.
        days = 2 if self.rng.random() < 0.5 else 45
        body = {"findings": ["绩效目标未细化量化", "资金支付进度滞后"][: self.rng.randint(1, 2)],
                "deadline": (date.today() + timedelta(days=days)).isoformat(),
                "source": self.rng.choice(["evaluation", "monitoring", "audit"])}
        status, rect = self.call("POST /projects/<id>/rectifications", "POST",
                                 f"/api/v1/projects/{project['id']}/rectifications", expect=201, json=body)
        if status == 201:
            self.actions.append(Action("rectification", rect["instance_id"], self.user))
        return True

    # -- the data of each task (what a person types into the form) ------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def grade(self) -> str:
        return self.rng.choices(GRADES, GRADE_WEIGHTS)[0]

    def view_instance(self, task: dict[str, Any]) -> Any:
        return self.get("GET /instances/<id>", f"/api/v1/instances/{task['instance_id']}")

    def view_project(self, task: dict[str, Any]) -> Any:
        return self.get("GET /projects/<id>", f"/api/v1/projects/{task['project_id']}")

    def data_draft_goals(self, task: dict[str, Any]) -> dict[str, Any]:
        return goal_body()

    def data_revise_goals(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_project(task)
        return goal_body(amount=self.rng.choice([CONTROL_AMOUNT, CONTROL_AMOUNT - 20]))

    def data_dept_signoff(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_project(task)
        ok = self.chance(0.9)
        return {"approved": ok, "opinion": "同意报送" if ok else "请补充满意度指标"}

    def data_formal_check(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_instance(task)
        ok = self.chance(0.9)
        return {"complete": ok, "opinion": "要素齐全" if ok else "缺少佐证，退回部门"}

    def data_finance_review(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_project(task)
        return {"grade": self.grade(), "opinion": "财政意见"}

    def data_authority_review(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_project(task)
        return {"grade": self.grade(), "opinion": "主管部门意见"}

    def data_expert_review(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_project(task)
        grade = self.grade()
        total = self.rng.randint(*TOTALS[grade])
        per = [total // 4 + (1 if i < total % 4 else 0) for i in range(4)]
        return {"grade": grade, "opinion": "专家意见",
                "scores": dict(zip(("completeness", "relevance", "scientific", "measurable"), per))}

    def data_consolidate(self, task: dict[str, Any]) -> dict[str, Any]:
        detail = self.view_instance(task) or {}
        suggested = (detail.get("data") or {}).get("suggested_grade")
        body: dict[str, Any] = {"grade": suggested or "良", "opinion": "目标明确", "control_amount": CONTROL_AMOUNT}
        if not suggested or self.chance(0.1):  # now and then the section overrides, with its reason
            body["grade"] = self.rng.choice(["优", "良", "中"])
            body["override_reason"] = "结合预算安排调整"
        return body

    def data_final_review(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_instance(task)
        ok = self.chance(0.9)
        return {"approved": ok, "opinion": "批复" if ok else "请按控制数调整"}

    def data_submit_plan(self, task: dict[str, Any]) -> dict[str, Any]:
        return {"plan": "逐项整改，按期销号", "measures": ["细化指标", "加快支付"][: self.rng.randint(1, 2)]}

    def data_review_plan(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_instance(task)
        ok = self.chance(0.85)
        return {"accepted": ok, "opinion": "同意" if ok else "措施不具体"}

    def data_report_progress(self, task: dict[str, Any]) -> dict[str, Any] | None:
        done = self.chance(0.7)
        evidence: list[int] = []
        if done:  # evidence goes up first, then the report names it
            status, body = self.call("POST /attachments", "POST", "/api/v1/attachments", expect=201,
                                     files={"file": ("整改佐证.pdf", PDF, "application/pdf")})
            if status != 201:
                return None
            self.actions.append(Action("upload", body["id"], self.user))
            evidence.append(body["id"])
        return {"progress": "已完成整改" if done else "正在整改", "evidence": evidence, "done": done}

    def data_audit(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_instance(task)
        ok = self.chance(0.8)
        return {"verdict": "accept" if ok else "return", "opinion": "佐证充分" if ok else "佐证不足"}

    def data_apply_result(self, task: dict[str, Any]) -> dict[str, Any]:
        self.view_instance(task)
        return {"budget_decision": self.rng.choice(["priority", "maintain", "reduce", "cancel"]),
                "recovered_amount": self.rng.choice([0, 5, 12.5]), "opinion": "按整改结果安排"}


# -- client processes: a few processes of threads, so that the GIL of one process does not queue 50 clients
def client_process(accounts: list[tuple[Account, int]], settings: Settings, ready, go, start_at, out) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    people = [Person(a, settings, i) for a, i in accounts]
    threads = [threading.Thread(target=p.login) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ready.put(os.getpid())
    go.wait()
    begin = start_at.value
    threads = [threading.Thread(target=p.run, args=(begin, begin + settings.duration)) for p in people]
    lags: list[float] = []
    probe = threading.Thread(target=lag_probe, args=(lags, begin + settings.duration), daemon=True)
    probe.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    probe.join()
    finished: Counter[str] = Counter()
    for p in people:
        finished.update(p.finished)
    # process_time: this process's own CPU seconds, to tell whether the clients ran short of CPU
    out.put(([r for p in people for r in p.records], [a for p in people for a in p.actions], dict(finished),
             time.time(), time.process_time(), lags))


def lag_probe(lags: list[float], end_at: float) -> None:
    """How late a thread of this client process wakes up from a 10 ms sleep: the delay the GIL and the
    CPU add to every client-side measurement (if it is small, the clients are not the bottleneck)."""
    while time.time() < end_at:
        before = time.perf_counter()
        time.sleep(0.01)
        lags.append((time.perf_counter() - before - 0.01) * 1000)


def run_clients(people: list[Account], settings: Settings, procs: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")  # the parent runs threads (SMTP sink, monitors): never fork those
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    start_at = ctx.Value("d", 0.0)
    shares = [[(a, i) for i, a in enumerate(people) if i % procs == k] for k in range(procs)]
    children = [ctx.Process(target=client_process, args=(share, settings, ready, go, start_at, out), daemon=True)
                for share in shares if share]
    for c in children:
        c.start()
    for _ in children:
        ready.get(timeout=300)
    start_at.value = time.time() + 0.5
    go.set()
    results = [out.get(timeout=settings.duration + 300) for _ in children]
    for c in children:
        c.join(timeout=30)
    records = [r for res in results for r in res[0]]
    actions = [a for res in results for a in res[1]]
    finished: Counter[str] = Counter()
    for res in results:
        finished.update(res[2])
    client_cpu = sum(res[4] for res in results)
    return {"records": records, "actions": actions, "finished": finished, "start": start_at.value,
            "end": max(res[3] for res in results), "client_cpu": client_cpu,
            "lags": [lag for res in results for lag in res[5]]}


# -- the background side: SMTP sink, Celery worker, timer ticks --------------------------------------
class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP for smtplib.send_message: every message is accepted and counted, nothing kept."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.received = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", free_port()), _SmtpHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def count(self) -> None:
        with self.lock:
            self.received += 1


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 load-bench SMTP sink\r\n")
        in_data = False
        for line in self.rfile:
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.server.count()  # type: ignore[attr-defined]
                    self.wfile.write(b"250 accepted\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-load-bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def empty_redis_db(base: str) -> str:
    """A Redis database nobody uses (15 down to 8): the worker consumes the default `celery` queue there."""
    import redis
    for n in range(15, 7, -1):
        url = f"{base.rstrip('/')}/{n}"
        client = redis.Redis.from_url(url)
        try:
            if client.dbsize() == 0:
                return url
        finally:
            client.close()
    raise SystemExit("no empty Redis database among 8..15: pass --broker redis://host:port/<db>")


def clean_redis(url: str) -> None:
    import redis
    client = redis.Redis.from_url(url)
    try:
        for pattern in ("celery*", "_kombu.*", "unacked*"):
            for key in client.scan_iter(pattern):
                client.delete(key)
    finally:
        client.close()


class Background:
    """The Celery worker (solo pool) and the timer ticks, on the run's Redis database."""

    def __init__(self, db: Database, env: dict[str, str], broker: str, log: Path) -> None:
        from celery import Celery
        self.broker = broker
        self.client = Celery("load-bench", broker=broker)
        self.client.conf.broker_connection_retry_on_startup = True
        self.log = open(log, "w")
        self.log_path = log
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "workflow_app.celery_entry", "worker", "--pool=solo", "-n", "load@%h",
             "--loglevel", "warning", "--without-gossip", "--without-mingle"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.ticks = 0
        self._stop = threading.Event()
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the celery worker exited:\n{self.log_path.read_text()[-2000:]}")
            if self.client.control.ping(timeout=1):
                return
            time.sleep(0.5)
        raise SystemExit(f"the celery worker did not answer within 90 s; log: {self.log_path}")

    def tick(self) -> None:
        self.client.send_task("workflow_app.fire_due_timers")
        self.ticks += 1

    def tick_every(self, seconds: float) -> None:
        def loop() -> None:
            while not self._stop.wait(seconds):
                self.tick()
        threading.Thread(target=loop, daemon=True).start()

    def stop_ticks(self) -> None:
        self._stop.set()

    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown: the job in hand finishes
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        clean_redis(self.broker)


class EnvGunicorn(Gunicorn):
    """benchlib's Gunicorn with extra environment (broker, SMTP, uploads): `env K=V ... gunicorn ...`;
    env execs gunicorn, so the pid stays the master's. An access log with each request's time in the worker
    (%(D)s, microseconds) tells the server's own time apart from queueing in front of the two workers."""

    ACCESS_FORMAT = "%(m)s %(U)s?%(q)s %(s)s %(D)s"

    def __init__(self, db: Database, extra: dict[str, str], access_log: Path, **kw: Any) -> None:
        super().__init__(db, **kw)
        self.extra, self.access_log = extra, access_log

    def gunicorn_command(self) -> list[str]:
        cmd = super().command()
        return [*cmd[:-1], "--access-logfile", str(self.access_log), "--access-logformat", self.ACCESS_FORMAT,
                cmd[-1]]

    def command(self) -> list[str]:
        return ["/usr/bin/env", *(f"{k}={v}" for k, v in self.extra.items()), *self.gunicorn_command()]


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Milliseconds in the worker per endpoint kind (named as the clients name them)."""
    times: dict[str, list[float]] = defaultdict(list)
    if not access_log.exists():
        return times
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split(" ")
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, target, micros = parts[0], parts[1], int(parts[3])
        path, _, query = target.partition("?")
        path = re.sub(r"/\d+", "/<id>", path.removeprefix("/api/v1"))
        if path == "/tasks":
            scope = re.search(r"scope=(\w+)", query)
            path += f"?scope={scope.group(1) if scope else 'mine'}"
        times[f"{method} {path}"].append(micros / 1000)
    return times


class Monitor:
    """Samples the load average and the CPU time of the servers and the client processes every 2 s."""

    def __init__(self, server: Gunicorn, celery_pid: int, db: Database) -> None:
        self.server, self.celery_pid, self.db = server, celery_pid, db
        self.loads: list[float] = []
        self._stop = threading.Event()
        self.first = self.cpu()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def cpu(self) -> dict[str, float]:
        import psutil
        app, pg = server_cpu_seconds(self.server.worker_pids(), self.db)
        celery = 0.0
        try:
            proc = psutil.Process(self.celery_pid)
            for p in [proc, *proc.children(recursive=True)]:
                t = p.cpu_times()
                celery += t.user + t.system
        except psutil.Error:
            pass
        return {"gunicorn workers": app, "PostgreSQL backends": pg, "celery worker": celery}

    def _run(self) -> None:
        while not self._stop.wait(2.0):
            self.loads.append(os.getloadavg()[0])

    def finish(self, wall: float, client_cpu: float) -> dict[str, float]:
        self._stop.set()
        last = self.cpu()
        cores = {k: (last[k] - self.first[k]) / wall for k in last}
        cores["load clients (this script)"] = client_cpu / wall
        return cores


# -- after the run: were all actions kept? -------------------------------------------------------------
def lost_actions(db: Database, actions: list[Action]) -> dict[str, Any]:
    """Look up every action the clients saw succeed; list what is missing or wrong."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(db.sqlalchemy_url)
    problems: list[str] = []

    def rows(sql: str, ids: list[Any]) -> list[Any]:
        """`sql` with `IN :ids`, in chunks (SQLite limits the number of parameters)."""
        stmt = text(sql).bindparams(bindparam("ids", expanding=True))
        return [row for i in range(0, len(ids), 2000) for row in conn.execute(stmt, {"ids": ids[i:i + 2000]})]

    by_kind: dict[str, list[Action]] = defaultdict(list)
    for a in actions:
        by_kind[a.kind].append(a)
    with engine.connect() as conn:
        completes = by_kind["complete"]
        twice = [tid for tid, n in Counter(a.object_id for a in completes).items() if n > 1]
        problems += [f"task {tid} was completed with 200 by two clients" for tid in twice]
        ids = sorted({a.object_id for a in completes})
        tasks = {r[0]: (r[1], r[2]) for r in rows(
            "SELECT id, state, completed_by FROM human_tasks WHERE id IN :ids", ids)}
        audits = Counter((r[0], r[1]) for r in rows(
            "SELECT task_id, actor FROM audit_events WHERE action = 'complete' AND task_id IN :ids", ids))
        for a in completes:
            state = tasks.get(a.object_id)
            if state != ("completed", a.user):
                problems.append(f"complete of task {a.object_id} by {a.user}: the row says {state}")
            if audits[(a.object_id, a.user)] != 1:
                problems.append(f"complete of task {a.object_id} by {a.user}: "
                                f"{audits[(a.object_id, a.user)]} audit events")
        checks = [("claim", "SELECT task_id, actor FROM audit_events WHERE action = 'claim' AND task_id IN :ids"),
                  ("start", "SELECT instance_id, actor FROM audit_events WHERE action = 'start' AND instance_id IN :ids"),
                  ("rectification", "SELECT instance_id, actor FROM audit_events "
                                    "WHERE action = 'rectification_started' AND instance_id IN :ids"),
                  ("project", "SELECT CAST(object_id AS INTEGER), actor FROM audit_events "
                              "WHERE action = 'project_created' AND object_id IN :ids"),
                  ("upload", "SELECT CAST(object_id AS INTEGER), actor FROM audit_events "
                             "WHERE action = 'upload' AND object_id IN :ids")]
        for kind, sql in checks:
            wanted = by_kind[kind]
            ids_kind = sorted({a.object_id for a in wanted})
            params = [str(i) for i in ids_kind] if kind in ("project", "upload") else ids_kind
            found = {(int(r[0]), r[1]) for r in rows(sql, params)}
            problems += [f"{kind} {a.object_id} by {a.user}: no audit event" for a in wanted
                         if (a.object_id, a.user) not in found]
        # A claim the client saw succeed must hold: nobody else may complete that task afterwards (this bench
        # has no stand-ins, reassignments or give-backs that would hand it on).
        claims = {a.object_id: a.user for a in by_kind["claim"]}
        if claims:
            done_by = {r[0]: r[1] for r in rows(
                "SELECT id, completed_by FROM human_tasks WHERE state = 'completed' AND id IN :ids", sorted(claims))}
            problems += [f"claim of task {tid} by {user} (200) was overridden: {done_by[tid]} completed it"
                         for tid, user in claims.items() if done_by.get(tid) not in (None, user)]
        # The other way round: completions in the database no client was told about (a 200 that never
        # arrived: a timeout or a dropped connection after the commit).
        seen = {a.object_id for a in completes}
        done_rows = conn.execute(text("SELECT id, completed_by, name FROM human_tasks WHERE state = 'completed'")).all()
        unseen = [f"task {r[0]} ({r[2]}) completed by {r[1]}" for r in done_rows if r[0] not in seen]
        counts = {
            "instances": conn.execute(text("SELECT process_key, status, count(*) FROM process_instances "
                                           "GROUP BY 1, 2 ORDER BY 1, 2")).all(),
            "timers": conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'timer'")).scalar(),
            "audit": conn.execute(text("SELECT count(*) FROM audit_events")).scalar(),
        }
    engine.dispose()
    return {"checked": len(actions), "problems": problems, "unseen": unseen, "counts": counts}


def notifications_state(db: Database) -> tuple[int, int]:
    """(notifications to mail, of which not mailed yet): only users with an e-mail address get mail."""
    from sqlalchemy import create_engine, text
    engine = create_engine(db.sqlalchemy_url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT count(*), count(*) FILTER (WHERE n.mailed_at IS NULL) FROM notifications n "
            "JOIN users u ON u.id = n.user_id WHERE u.email IS NOT NULL AND u.email <> ''")).one()
    engine.dispose()
    return int(row[0]), int(row[1])


def drain_mail(db: Database, timeout: float) -> tuple[int, int, float]:
    started = time.monotonic()
    total, pending = notifications_state(db)
    while pending and time.monotonic() - started < timeout:
        time.sleep(1)
        total, pending = notifications_state(db)
    return total, pending, time.monotonic() - started


def audit_verify(db: Database) -> tuple[bool, str]:
    cmd = [str(VENV_BIN / "flask"), "--app", "workflow_app", "audit", "verify"]
    done = subprocess.run(cmd, cwd=REPO, env=app_env(db), capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode == 0, lines[-1] if lines else f"exit {done.returncode}"


def tracebacks(log: Path, limit: int = 3) -> list[str]:
    """The distinct tracebacks of a server log (last frame + exception line as the key)."""
    text_ = log.read_text(errors="replace") if log.exists() else ""
    found: dict[str, str] = {}
    for block in re.split(r"(?=^Traceback \(most recent call last\):)", text_, flags=re.M):
        if not block.startswith("Traceback"):
            continue
        lines = block.strip().splitlines()
        end = next((i for i, l in enumerate(lines[1:], 1) if not l.startswith((" ", "\t"))), len(lines) - 1)
        key = "\n".join(lines[max(0, end - 2):end + 1])
        found.setdefault(key, "\n".join(lines[:end + 1]))
    return list(found.values())[:limit]


# -- the report ------------------------------------------------------------------------------------------
KIND_ORDER = ["GET /tasks?scope=mine", "GET /tasks?scope=group", "GET /tasks?scope=started", "GET /instances/<id>",
              "GET /projects/<id>", "GET /projects", "GET /notifications", "GET /rectifications", "POST /projects",
              "POST /projects/<id>/goal-review", "POST /projects/<id>/rectifications", "POST /attachments",
              "POST /tasks/<id>/claim", "POST /tasks/<id>/complete", "client exception"]


def latency_rows(records: list[Rec], key, server: dict[str, list[float]] | None = None) -> list[list[Any]]:
    groups: dict[str, list[Rec]] = defaultdict(list)
    for r in records:
        groups[key(r)].append(r)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    rows = []
    for name in sorted(groups, key=lambda k: (order.get(k, 99), k)):
        recs = groups[name]
        answered = [r.seconds * 1000 for r in recs if r.status > 0]
        outcomes = Counter(r.outcome for r in recs)
        row = [name, len(recs), outcomes["ok"], outcomes["conflict"], outcomes["error"],
               percentile(answered, 50), percentile(answered, 95), percentile(answered, 99),
               max(answered) if answered else float("nan")]
        if server is not None:
            row += [percentile(server.get(name, []), 50), percentile(server.get(name, []), 95)]
        rows.append(row)
    return rows


def over_time(records: list[Rec], start: float, wall: float, step: float) -> list[list[Any]]:
    rows = []
    buckets = max(1, math.ceil(wall / step))
    for b in range(buckets):
        lo, hi = start + b * step, start + min(wall, (b + 1) * step)
        recs = [r for r in records if lo <= r.at < hi]
        span = max(hi - lo, 1e-9)
        done = [r for r in recs if r.kind == "POST /tasks/<id>/complete" and r.outcome == "ok"]
        rows.append([f"{b * step:.0f}–{min(wall, (b + 1) * step):.0f} s", f"{len(recs) / span:.1f}",
                     f"{len(done) / span:.1f}", percentile([r.seconds * 1000 for r in recs if r.status > 0], 95),
                     sum(r.outcome == "error" for r in recs)])
    return rows


def report(args, people: list[Account], result: dict[str, Any], check: dict[str, Any], mail: tuple[int, int, float],
           sink: SmtpSink, ticks: int, verify: tuple[bool, str], cores: dict[str, float], loads: list[float],
           server_log: Path, celery_log: Path, access_log: Path) -> int:
    records: list[Rec] = result["records"]
    wall = result["end"] - result["start"]
    outcomes = Counter(r.outcome for r in records)
    completes = [r for r in records if r.kind == "POST /tasks/<id>/complete"]
    done = sum(r.outcome == "ok" for r in completes)
    kinds = Counter(p.kind for p in people)
    print(f"\n{len(people)} simulated people in {args.procs} client process(es) for {args.duration:.0f} s: "
          + ", ".join(f"{n} {k}" for k, n in kinds.items())
          + f"; think 0–{args.think_ms:.0f} ms, idle {args.idle_ms / 2:.0f}–{args.idle_ms:.0f} ms, "
            f"claim first {args.claim_share:.0%} of group tasks", flush=True)

    total_mail, unmailed, drain_s = mail
    server = server_times(access_log)
    client_kinds = {r.kind for r in records}  # leaves out the logins and the readiness probe
    worker_ms = [v for k, vals in server.items() if k in client_kinds for v in vals]
    answered_ms = [r.seconds * 1000 for r in records if r.status > 0]
    summary = [
        ["wall time (s)", f"{wall:.1f}"],
        ["requests", len(records)],
        ["requests/s", f"{len(records) / wall:.1f}"],
        ["completions (200)", done],
        ["completions/s", f"{done / wall:.2f}"],
        ["instances finished by the clients", ", ".join(f"{k}: {n}" for k, n in sorted(result["finished"].items()))
         or "0"],
        ["p50 / p95 / p99, all requests (ms)", " / ".join(f"{percentile(answered_ms, q):.1f}" for q in (50, 95, 99))],
        ["p50 / p95 inside the gunicorn worker, all requests (ms)",
         " / ".join(f"{percentile(worker_ms, q):.1f}" for q in (50, 95))],
        ["errors (5xx, unexpected 4xx, no answer)", outcomes["error"]],
        ["expected conflicts (409: someone else took the task first)", outcomes["conflict"]],
        ["actions checked in the database", check["checked"]],
        ["lost actions", len(check["problems"])],
        ["completed in the database without a client 200", len(check["unseen"])],
        ["timer runs sent / timer events fired", f"{ticks} / {check['counts']['timers']}"],
        ["notifications to mail / unmailed after drain / sink received", f"{total_mail} / {unmailed} / {sink.received}"
                                                                         f" (drained in {drain_s:.0f} s)"],
        ["audit events / `audit verify`", f"{check['counts']['audit']} / {verify[1]}"],
    ]
    print(table(["figure", "value"], summary, "load run"))
    print(table(["endpoint", "n", "ok", "409", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "in worker p50",
                 "in worker p95"], latency_rows(records, lambda r: r.kind, server),
                "latency per endpoint as the clients saw it (all answered requests), and the time inside the "
                "gunicorn worker (access log %(D)s; the difference is queueing for a worker)"))
    print(table(["task completed", "n", "ok", "409", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                latency_rows([r for r in records if r.task and r.kind.endswith("complete")], lambda r: r.task),
                "POST /tasks/<id>/complete per task"))
    print(table(["interval", "requests/s", "completions/s", "p95 ms", "errors"],
                over_time(records, result["start"], wall, args.bucket), "over time"))
    print(table(["instances at the end", "status", "count"],
                [list(r) for r in check["counts"]["instances"]], "database"))
    load_text = (f"{min(loads):.2f} / {sum(loads) / len(loads):.2f} / {max(loads):.2f}" if loads else "-")
    machine = [["1-min load average during the run (min / mean / max)", load_text]]
    machine += [[f"CPU cores used: {k}", f"{v:.2f}"] for k, v in cores.items()]
    lags = result["lags"]
    machine.append(["client wake-up lag after a 10 ms sleep, p50 / p95 / max (ms)",
                    " / ".join(f"{v:.1f}" for v in (percentile(lags, 50), percentile(lags, 95),
                                                      max(lags) if lags else float("nan")))])
    print(table(["machine", "value"], machine, f"machine ({os.cpu_count()} cores)"))

    errors = [r for r in records if r.outcome == "error"]
    if errors:
        shown = Counter(f"{r.kind} {r.task} -> {r.status}" for r in errors)
        print(table(["error", "count"], [[k, n] for k, n in shown.most_common()], "errors"))
        for r in errors[:5]:
            print(f"- {r.detail}")
    if check["problems"]:
        print("\nlost actions (first 20):\n" + "\n".join(f"- {p}" for p in check["problems"][:20]))
    if check["unseen"]:
        print("\ncompleted without a client 200 (first 10):\n" + "\n".join(f"- {u}" for u in check["unseen"][:10]))
    for name, log in (("gunicorn", server_log), ("celery worker", celery_log)):
        for tb in tracebacks(log):
            print(f"\n{name} traceback ({log}):\n```\n{tb}\n```")

    ok = not errors and not check["problems"] and not unmailed and verify[0]
    verdicts = [["errors", outcomes["error"], "0", "PASS" if not errors else "MISS"],
                ["lost actions", len(check["problems"]), "0", "PASS" if not check["problems"] else "MISS"],
                ["notifications not mailed", unmailed, "0", "PASS" if not unmailed else "MISS"],
                ["audit chain", verify[1], "ok", "PASS" if verify[0] else "MISS"]]
    print(table(["figure", "measured", "target", "verdict"], verdicts, "against the targets"))
    print(f"\nlogs: gunicorn {server_log}, celery {celery_log}")
    return 0 if ok else 1


# -- main ---------------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--procs", type=int, default=2, help="client processes the people are spread over (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "sqlite"], help="database (postgresql)")
    parser.add_argument("--think-ms", type=float, default=200, help="pause after an action: 0..N ms (200)")
    parser.add_argument("--idle-ms", type=float, default=1000, help="pause with nothing to do: N/2..N ms (1000)")
    parser.add_argument("--claim-share", type=float, default=0.5, help="share of group tasks claimed first (0.5)")
    parser.add_argument("--open-per-filer", type=int, default=2, help="running goal reviews a filer keeps (2)")
    parser.add_argument("--timer-every", type=float, default=5, help="send fire_due_timers every N s (5)")
    parser.add_argument("--drain", type=float, default=120, help="wait at most N s for the mail queue after (120)")
    parser.add_argument("--broker", default=None, help="Redis URL with database (default: an empty one of 8..15 "
                                                      "on redis://127.0.0.1:6379)")
    parser.add_argument("--bucket", type=float, default=10, help="seconds per row of the over-time table (10)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the people's choices (7)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    people = roster(args.users)
    header("bench/load.py")
    broker = args.broker or empty_redis_db(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379"))
    logs = Path(tempfile.mkdtemp(prefix="wf-load-"))
    with database(args.db, "load", keep=args.keep) as db:
        created = create_accounts(db, people)
        sink = SmtpSink()
        extra = {"CELERY_BROKER_URL": broker, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
                 "UPLOAD_DIR": str(logs / "uploads")}
        env = app_env(db, **extra)
        print(f"\n{args.db}: {created} accounts created besides the demo county; broker {broker}; "
              f"SMTP sink 127.0.0.1:{sink.port}", flush=True)
        background = Background(db, env, broker, logs / "celery.log")
        try:
            with EnvGunicorn(db, extra, logs / "access.log", workers=args.workers, log=logs / "gunicorn.log") as server:
                print(f"gunicorn {' '.join(server.gunicorn_command()[1:])} (pid {server.proc.pid}); celery worker "
                      f"--pool=solo (pid {background.pid()})", flush=True)
                settings = Settings(server.base, args.duration, args.think_ms, args.idle_ms, args.claim_share,
                                    args.open_per_filer, args.seed,
                                    sorted({p.department for p in people if p.kind == "filer"}))
                monitor = Monitor(server, background.pid(), db)
                background.tick_every(args.timer_every)
                result = run_clients(people, settings, args.procs)
                background.stop_ticks()
                wall = result["end"] - result["start"]
                cores = monitor.finish(wall, result["client_cpu"])
                print(f"load done: {len(result['records'])} requests in {wall:.1f} s; draining the mail queue",
                      flush=True)
                background.tick()  # one last timer run, then everything the worker was sent must be done
                mail = drain_mail(db, args.drain)
            check = lost_actions(db, result["actions"])
        finally:
            background.stop()
            sink.shutdown()
        verify = audit_verify(db)
        return report(args, people, result, check, mail, sink, background.ticks, verify, cores, monitor.loads,
                      logs / "gunicorn.log", logs / "celery.log", logs / "access.log")


if __name__ == "__main__":
    status = main()
    print("\n" + load_note())
    sys.exit(status)
