#!/usr/bin/env python
"""Inbox and completion cost as the database grows: 1k, 10k and 100k instances (~2 open human tasks each).

Setup (per database): a fresh database (`db upgrade`, `seed-demo`, BPMN_DIRS=bench/bpmn), 45 more departments
(50 in all) with one department_filer each, and one real instance of bench/bpmn/parallel_pair.bpmn (a parallel
split into `section_check`, lane performance_section, and `filer_check`, lane department_filer, both ready)
started through services.instances.start_instance. Its process_instances row (state included) and its two
human_tasks rows are the template of every bulk row: all instances share that one real serialized state, so
each instance's task rows match its state (same engine task ids, both READY) and any of them can be completed
through the API. Bulk load: SQLAlchemy Core executemany on SQLite, COPY on PostgreSQL (then the id sequences
are moved past the loaded ids and the tables are ANALYZEd, as autovacuum would). The human_tasks triggers log
one group queue size row per loaded task; the load folds that log (`flask queues compact`, which beat runs every
five minutes) before the VACUUM ANALYZE, and the load time includes both.

Spread: instance k belongs to department k mod 50 (so a department sees 2% of the filer tasks); 10% of the
filer tasks are claimed by their department's filer, 2% of the section tasks by jxk; created_at is spread over
the past year.

At each size, against `gunicorn -w 1` (one server for the whole run):
  GET /api/v1/tasks?scope=mine and ?scope=group   as rsj_filer (a typical department user: group ≈ 2% of
                                                  the filer tasks) and as jxk (performance section: every
                                                  section task is in its group queue)
  POST /api/v1/tasks/<id>/complete                of pre-loaded `section_check` tasks (as jxk), and of fresh
                                                  two_step instances (start, lookup, complete, complete)
and the gunicorn worker's RSS.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in ("", _HERE)] + [_HERE]  # bench/http.py must not shadow `http`

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402
from typing import Any  # noqa: E402

from benchlib import PASSWORD, Api, Gunicorn, Samples, database, make_app, header, table, verdict  # noqa: E402
from benchlib import load_note  # noqa: E402

DEPARTMENTS = 50
FILER_CLAIMED = 0.10
SECTION_CLAIMED = 0.02
CHUNK = 10_000


class Loader:
    """Bulk rows cloned from one real parallel_pair instance."""

    def __init__(self, app, kind: str, seed: int = 7) -> None:
        self.app = app
        self.kind = kind
        self.rng = random.Random(seed)
        self.now = datetime.now(timezone.utc)
        self.loaded = 0
        self.load_seconds = 0.0

    # -- setup ------------------------------------------------------------------------------------
    def setup(self) -> None:
        from sqlalchemy import select
        from werkzeug.security import generate_password_hash

        from workflow_app.extensions import db
        from workflow_app.models import Department, HumanTask, ProcessInstance, User
        from workflow_app.services import instances
        from workflow_app.services.org import create_department, create_user

        with self.app.test_request_context():
            password_hash = generate_password_hash(PASSWORD)
            have = {d.code for d in db.session.scalars(select(Department))}
            for n in range(1, DEPARTMENTS - 5 + 1):
                code = f"bd{n:02d}"
                if code not in have:
                    create_department(code, f"基准测试部门{n:02d}", None)
                    create_user(f"{code}_filer", PASSWORD, ["department_filer"], code, f"{code} 填报",
                                password_hash=password_hash)
            db.session.commit()
            codes = ["rsj", "slj", "tjj", "xmz", "cjl"] + [f"bd{n:02d}" for n in range(1, DEPARTMENTS - 5 + 1)]
            by_code = {d.code: d.id for d in db.session.scalars(select(Department))}
            self.departments = [by_code[c] for c in codes]
            filers = {u.department_id: u.username for u in db.session.scalars(
                select(User).where(User.holding("department_filer")))}
            self.filer_of = {d: filers[d] for d in self.departments}

            jxk = db.session.scalars(select(User).where(User.username == "jxk")).one()
            started = instances.start_instance(jxk, "parallel_pair", {"round": "scale"})
            template_id = started.instance.id
            db.session.remove()
        with self.app.app_context():
            instance_table = ProcessInstance.__table__
            task_table = HumanTask.__table__
            with db.engine.connect() as conn:
                self.instance_row = dict(conn.execute(
                    select(instance_table).where(instance_table.c.id == template_id)).mappings().one())
                self.task_rows = [dict(r) for r in conn.execute(
                    select(task_table).where(task_table.c.instance_id == template_id)
                    .order_by(task_table.c.id)).mappings()]
            names = sorted(r["name"] for r in self.task_rows)
            if names != ["filer_check", "section_check"] or any(r["state"] != "ready" for r in self.task_rows):
                raise SystemExit(f"unexpected template task rows: {self.task_rows}")
        self.loaded = 1
        self.state_bytes = len(self.instance_row["state"])

    # -- bulk -------------------------------------------------------------------------------------
    def grow_to(self, target: int) -> dict[str, Any]:
        from sqlalchemy import func, insert, select

        from workflow_app.extensions import db
        from workflow_app.models import HumanTask, ProcessInstance

        inst_t, task_t = ProcessInstance.__table__, HumanTask.__table__
        with self.app.app_context():
            with db.engine.connect() as conn:
                current = conn.scalar(select(func.count()).select_from(inst_t).where(
                    inst_t.c.process_key == "parallel_pair"))
                next_instance = (conn.scalar(select(func.max(inst_t.c.id))) or 0) + 1
                next_task = (conn.scalar(select(func.max(task_t.c.id))) or 0) + 1
            todo = target - current
            if todo <= 0:
                return {"added": 0, "seconds": 0.0}
            started = time.perf_counter()
            done = 0
            while done < todo:
                n = min(CHUNK, todo - done)
                instances_rows, task_rows = [], []
                for k in range(n):
                    index = current + done + k
                    department = self.departments[index % DEPARTMENTS]
                    created = self.now - timedelta(seconds=self.rng.randrange(365 * 86400))
                    iid = next_instance
                    next_instance += 1
                    row = dict(self.instance_row)
                    row.update(id=iid, department_id=department, created_at=created, updated_at=created,
                               lock_version=0)
                    instances_rows.append(row)
                    for template in self.task_rows:
                        task = dict(template)
                        claimed = None
                        if template["name"] == "filer_check" and self.rng.random() < FILER_CLAIMED:
                            claimed = self.filer_of[department]
                        elif template["name"] == "section_check" and self.rng.random() < SECTION_CLAIMED:
                            claimed = "jxk"
                        task.update(id=next_task, instance_id=iid, department_id=department, claimed_by=claimed,
                                    created_at=created)
                        next_task += 1
                        task_rows.append(task)
                if self.kind == "postgresql":
                    self._copy(inst_t, instances_rows)
                    self._copy(task_t, task_rows)
                else:
                    with db.engine.begin() as conn:
                        conn.execute(insert(inst_t), instances_rows)
                        conn.execute(insert(task_t), task_rows)
                done += n
            # The triggers logged one queue size row per loaded task; fold them as beat would within minutes.
            from workflow_app.services.queue_sizes import compact_now
            compact_now()
            if self.kind == "postgresql":
                from sqlalchemy import text
                with db.engine.begin() as conn:
                    for name in ("process_instances", "human_tasks"):
                        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                          f"(SELECT max(id) FROM {name}))"))
                raw = db.engine.raw_connection()
                try:
                    raw.driver_connection.autocommit = True
                    raw.driver_connection.execute("VACUUM ANALYZE process_instances")
                    raw.driver_connection.execute("VACUUM ANALYZE human_tasks")
                    raw.driver_connection.execute("VACUUM ANALYZE group_queue_sizes")
                    raw.driver_connection.autocommit = False
                finally:
                    raw.close()
            elif self.analyze_sqlite:
                from sqlalchemy import text
                with db.engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
            seconds = time.perf_counter() - started
        self.load_seconds += seconds
        return {"added": todo, "seconds": seconds, "rows": todo * (1 + len(self.task_rows))}

    analyze_sqlite = False

    def _copy(self, table_obj, rows: list[dict[str, Any]]) -> None:
        from workflow_app.extensions import db
        columns = list(rows[0].keys())
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY {table_obj.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(v) if isinstance(v, (dict, list)) else v
                                    for v in (row[c] for c in columns)])
            raw.commit()
        finally:
            raw.close()

    def open_section_tasks(self, count: int) -> list[int]:
        """Unclaimed ready section_check rows of bulk instances, spread over the id range."""
        from sqlalchemy import select

        from workflow_app.extensions import db
        from workflow_app.models import HumanTask
        with self.app.app_context():
            with db.engine.connect() as conn:
                ids = list(conn.scalars(select(HumanTask.id).where(
                    HumanTask.name == "section_check", HumanTask.state == "ready",
                    HumanTask.claimed_by.is_(None))))
        self.rng.shuffle(ids)
        return ids[:count]

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func, select

        from workflow_app.extensions import db
        from workflow_app.models import HumanTask, ProcessInstance
        with self.app.app_context():
            with db.engine.connect() as conn:
                return {"instances": conn.scalar(select(func.count()).select_from(ProcessInstance)),
                        "ready tasks": conn.scalar(select(func.count()).select_from(HumanTask)
                                                   .where(HumanTask.state == "ready"))}


def explain_inbox(app, kind: str) -> str:
    """The inbox queries of services.tasks.list_tasks as the app sends them, with the database's plan."""
    from sqlalchemy import event, select

    from workflow_app.extensions import db
    from workflow_app.models import User
    from workflow_app.services import tasks

    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if ("human_tasks" in statement or "group_queue_sizes" in statement) and "api_tokens" not in statement:
            captured.append((statement, parameters))
    out = []
    with app.app_context():
        engine = db.engine  # this app's engine: a listener on the Engine class missed the second database's
    event.listen(engine, "before_cursor_execute", capture)
    try:
        with app.test_request_context():
            for username in ("rsj_filer", "jxk"):
                actor = db.session.scalars(select(User).where(User.username == username)).one()
                for scope in ("mine", "group"):
                    captured.clear()
                    tasks.list_tasks(actor, scope)
                    for statement, params in list(captured):
                        raw = db.engine.raw_connection()
                        try:
                            cursor = raw.cursor()
                            if kind == "postgresql":
                                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
                                plan = "\n".join(r[0] for r in cursor.fetchall())
                            else:
                                started = time.perf_counter()
                                cursor.execute(statement, params)
                                cursor.fetchall()
                                took = (time.perf_counter() - started) * 1000
                                cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
                                plan = "\n".join(str(r[-1]) for r in cursor.fetchall()) + f"\n(ran in {took:.1f} ms)"
                        finally:
                            raw.close()
                        short = " ".join(statement.split())
                        out.append(f"-- {username} scope={scope}: {short[:400]}\n-- params {params}\n{plan}\n")
                db.session.remove()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return "\n".join(out)


def measure(base: str, loader: Loader, requests_per_query: int, completions: int,
            two_step: int) -> dict[str, Any]:
    rec: dict[str, Samples] = {}
    users = {name: Api(base, name) for name in ("rsj_filer", "jxk")}
    totals: dict[str, int] = {}
    for name, api in users.items():
        for scope in ("mine", "group"):
            label = f"GET tasks?scope={scope} ({name})"
            for n in range(requests_per_query + 3):
                started = time.perf_counter()
                body = api.get(f"/api/v1/tasks?scope={scope}")
                if n >= 3:  # the first few warm the connection pool and the statement cache
                    rec.setdefault(label, Samples()).add(time.perf_counter() - started)
            totals[label] = body["total"]
    jxk = users["jxk"]
    for n, task_id in enumerate(loader.open_section_tasks(completions + 3)):
        started = time.perf_counter()
        jxk.post(f"/api/v1/tasks/{task_id}/complete", {"data": {"text": "checked"}})
        if n >= 3:
            rec.setdefault("complete pre-loaded section_check", Samples()).add(time.perf_counter() - started)
    for n in range(two_step + 2):
        instance = jxk.post("/api/v1/processes/two_step/instances", {"data": {"title": "scale"}}, expect=201)
        first = jxk.get(f"/api/v1/tasks?scope=group&instance_id={instance['id']}")["items"][0]
        for _ in range(2):
            started = time.perf_counter()
            done = jxk.post(f"/api/v1/tasks/{first['id']}/complete", {"data": {"text": "x"}})
            if n >= 2:
                rec.setdefault("complete two_step task", Samples()).add(time.perf_counter() - started)
            if done["next_tasks"]:
                first = done["next_tasks"][0]
    return {"samples": rec, "totals": totals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,postgresql", help="comma list of sqlite, postgresql (default both)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="instance counts to measure at")
    parser.add_argument("--requests", type=int, default=100, help="GETs per inbox query and size (default 100)")
    parser.add_argument("--completions", type=int, default=100, help="pre-loaded tasks completed per size (100)")
    parser.add_argument("--two-step", type=int, default=50, help="two_step instances run per size (default 50)")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="run ANALYZE on SQLite after each load (the product never does; default off)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database afterwards")
    parser.add_argument("--no-explain", action="store_true", help="do not print the inbox query plans")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    header("bench/scale.py")
    summary = []
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        with database(kind, "scale", keep=args.keep_db) as db:
            app = make_app(db)
            loader = Loader(app, kind)
            loader.analyze_sqlite = args.sqlite_analyze
            loader.setup()
            rows, loads = [], []
            with Gunicorn(db) as server:
                print(f"\n{kind}: gunicorn {' '.join(server.command()[1:])}; template state "
                      f"{loader.state_bytes} bytes", flush=True)
                results = {}
                for size in sizes:
                    load = loader.grow_to(size)
                    counts = loader.counts()
                    loads.append([size, load["added"], f"{load['seconds']:.1f}",
                                  f"{load.get('rows', 0) / load['seconds']:.0f}" if load["seconds"] else "-",
                                  counts["instances"], counts["ready tasks"]])
                    print(f"  loaded {load['added']} instances in {load['seconds']:.1f} s -> {counts}", flush=True)
                    result = measure(server.base, loader, args.requests, args.completions, args.two_step)
                    result["rss"] = server.worker_rss_mb()
                    results[size] = result
                    for label, s in result["samples"].items():
                        total = result["totals"].get(label, "")
                        rows.append([size, label, total, s.p(50), s.p(95), len(s)])
                    print(f"  measured at {size}: worker RSS {', '.join(f'{v:.0f}' for v in result['rss'])} MB",
                          flush=True)
                final_rss = server.worker_rss_mb()
            if not args.no_explain:
                print(f"\n### {kind}: inbox query plans at {max(sizes)} instances\n\n```\n"
                      f"{explain_inbox(app, kind)}```")
            print(table(["size", "added", "load s", "rows/s", "instances", "ready task rows"], loads,
                        f"{kind}: bulk load"))
            print(table(["instances", "request", "total rows", "p50 ms", "p95 ms", "n"], rows,
                        f"{kind}: requests at each size (gunicorn -w 1)"))
            print(table(["instances", "worker RSS MB"],
                        [[size, ", ".join(f"{v:.0f}" for v in r["rss"])] for size, r in results.items()]
                        + [["after the run", ", ".join(f"{v:.0f}" for v in final_rss)]],
                        f"{kind}: gunicorn worker RSS"))
            small, big = min(sizes), max(sizes)
            for label in results[big]["samples"]:
                a, b = results[small]["samples"][label].p(50), results[big]["samples"][label].p(50)
                summary.append([kind, label, a, b, f"{b / a:.2f}x", verdict(b / a, 1.5)])
            typical = results[big]["samples"]
            for label in ("GET tasks?scope=mine (rsj_filer)", "GET tasks?scope=group (rsj_filer)",
                          "GET tasks?scope=mine (jxk)", "GET tasks?scope=group (jxk)"):
                target = 7.5 if kind == "postgresql" else 5  # PostgreSQL: within 1.5x of SQLite's target
                summary.append([kind, f"{label} p50 at {big}", "", typical[label].p(50), f"≤ {target:g} ms",
                                verdict(typical[label].p(50), target)])
            summary.append([kind, "worker RSS after the run (MB)", "", max(final_rss or [float("nan")]),
                            "≤ 200 MB", verdict(max(final_rss or [float("nan")]), 200)])
    print(table(["db", "figure", f"p50 at {min(sizes)} ms", f"p50 at {max(sizes)} ms", "ratio / target", "verdict"],
                summary, "growth and targets (ratio target: 100k within 1.5x of 1k)"))


if __name__ == "__main__":
    main()
    print("\n" + load_note())
