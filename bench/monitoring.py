#!/usr/bin/env python
"""A yearly monitoring round (绩效运行监控) of 3,000 projects: how long the round takes to start through two
Celery workers, and how fast the monitoring board of those 3,000 projects renders.

Setup: a fresh database (`db upgrade`, `seed-demo`), then 3,000 projects of the five demo departments with
approved goals (a completed goal review, an approved goal version with the four indicators of
tests/goal_flow.py) and seven months of payments each, bulk-inserted (a goal review through the API per
project would take hours; the round reads only these rows). Redis at 127.0.0.1:6379 is the broker, on a
database number of its own (--broker), and N `celery -A workflow_app.celery_entry worker` processes
(default 2, --concurrency 1 each) consume it.

(1) The round: `POST /api/v1/monitoring-rounds {"year": 2027, "month": 7}` as jxk (in this process, the Flask
    test client); the clock runs from the request until the database holds all 3,000 monitoring instances
    (every report has its instance). Target ≤ 30 s.
(2) The board: the reports are then marked submitted as the 监控表 would leave them (执行率 from the prefilled
    执行数, the colour from services/monitoring_warnings.execution_colour, some flagged indicators and outcomes)
    and `GET /monitoring/rounds/<id>/board` (the page, logged in as jxk through the login form) is rendered
    --runs times; p50/p95 in ms. Also the JSON board, a department's board and the 监控汇总表 export.
    Target ≤ 300 ms p50.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in ("", _HERE)] + [_HERE]  # bench/http.py must not shadow `http`

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

from benchlib import (PASSWORD, Samples, app_env, database, header, load_note, make_app,  # noqa: E402
                      start_celery_workers, stop_processes, table, verdict, wait_for_workers)

DEPARTMENTS = ("rsj", "slj", "tjj", "xmz", "cjl")
INDICATORS = [("产出指标", "数量指标", "培训人次", ">=", "3000", "人次", 40),
              ("产出指标", "质量指标", "培训合格率", ">=", "90", "%", 20),
              ("效益指标", "社会效益指标", "促进城乡劳动者就业", "定性", "明显提升", "", 30),
              ("满意度指标", "服务对象满意度指标", "学员满意度", ">=", "90", "%", 10)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,postgresql", help="comma list of sqlite, postgresql (default both)")
    parser.add_argument("--count", type=int, default=3000, help="projects in the round (default 3000)")
    parser.add_argument("--month", type=int, default=7, help="the round's cut-off month (default 7)")
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes (default 2)")
    parser.add_argument("--concurrency", type=int, default=1, help="--concurrency of each worker (default 1)")
    parser.add_argument("--runs", type=int, default=40, help="board renders measured (default 40)")
    parser.add_argument("--broker", default=os.environ.get("BENCH_MONITORING_BROKER_URL", "redis://127.0.0.1:6379/13"),
                        help="Celery broker, a Redis database of its own (default redis://127.0.0.1:6379/13)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds (600)")
    parser.add_argument("--board-only", action="store_true",
                        help="no workers: the round's reports are created (the POST) but no instance is started; "
                             "measures (2) alone")
    args = parser.parse_args()

    header("bench/monitoring.py")
    start_rows, board_rows, checks = [], [], []
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        with database(kind, "monitoring") as db:
            result = run(db, args)
        start_rows.append([kind, args.count, "none (--board-only)" if args.board_only else
                           f"{args.workers} x --concurrency {args.concurrency}",
                           f"{result['seed']:.1f}", f"{result['request']:.2f}", f"{result['seconds']:.1f}",
                           f"{args.count / result['seconds']:.0f}"])
        for name, samples in result["boards"].items():
            board_rows.append([kind, name, len(samples), f"{samples.median:.1f}", f"{samples.p(95):.1f}",
                               f"{min(samples.values) * 1000:.1f}"])
        if not args.board_only:
            checks.append([f"{kind}: round of {args.count} started with {args.workers} workers",
                           f"{result['seconds']:.1f} s", "≤ 30 s", verdict(result["seconds"], 30)])
        page = result["boards"]["page /monitoring/rounds/<id>/board (jxk)"]
        checks.append([f"{kind}: board page of {args.count} projects, p50", f"{page.median:.0f} ms", "≤ 300 ms",
                       verdict(page.median, 300)])
    print(table(["db", "projects", "workers", "seed s", "POST request s", "all instances s", "instances/s"],
                start_rows, "(1) starting the round through Celery"))
    print(table(["db", "request", "n", "p50 ms", "p95 ms", "min ms"], board_rows,
                "(2) the monitoring board of the round (Flask test client, in process)"))
    print(table(["figure", "measured", "target", "verdict"], checks, "against the targets"))


# -- seeding ----------------------------------------------------------------------------------------
def seed(app, count: int, month: int) -> None:
    """3,000 projects with approved goals and payments for months 1..month, in bulk."""
    from sqlalchemy import insert, select

    from workflow_app.extensions import db
    from workflow_app.models import (Department, GoalReview, GoalVersion, Indicator, PaymentRecord, ProcessDefinition,
                                     ProcessInstance, Project)
    rng = random.Random(2027)
    with app.app_context():
        departments = {d.code: d.id for d in db.session.scalars(select(Department))}
        definition = db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "goal_review")
                                        .order_by(ProcessDefinition.version.desc())).first()
        assert definition is not None, "goal_review is not deployed"
        amounts = [Decimal(rng.randrange(2000, 200000)) / 100 for _ in range(count)]
        db.session.execute(insert(Project), [
            {"code": f"2027-BM-{n:05d}", "name": f"监控压测项目{n}", "department_id": departments[DEPARTMENTS[n % 5]],
             "fiscal_year": 2027, "amount": amounts[n], "fund_source": "general", "kind": "project",
             "is_new": False, "goal_status": "approved"} for n in range(count)])
        projects = list(db.session.execute(select(Project.id, Project.department_id)
                                           .where(Project.code.like("2027-BM-%")).order_by(Project.id)))
        db.session.execute(insert(ProcessInstance), [
            {"definition_id": definition.id, "process_key": "goal_review", "status": "completed", "project_id": pid,
             "department_id": dept, "state": b"", "lock_version": 0} for pid, dept in projects])
        instances = dict(db.session.execute(select(ProcessInstance.project_id, ProcessInstance.id).where(
            ProcessInstance.process_key == "goal_review", ProcessInstance.project_id.in_([p for p, _ in projects]))).all())
        db.session.execute(insert(GoalVersion), [
            {"project_id": pid, "instance_id": instances[pid], "number": 1, "round": "二上",
             "overall_goal": "全年开展就业技能培训3000人次，培训合格率达到90%以上。", "amount": amounts[n],
             "created_by": "bench"} for n, (pid, _) in enumerate(projects)])
        versions = dict(db.session.execute(select(GoalVersion.project_id, GoalVersion.id)
                                           .where(GoalVersion.created_by == "bench")).all())
        db.session.execute(insert(Indicator), [
            {"goal_version_id": versions[pid], "position": i, "level1": l1, "level2": l2, "name": name,
             "operator": op, "target": target, "unit": unit, "weight": weight, "allow_negative": False}
            for pid, _ in projects for i, (l1, l2, name, op, target, unit, weight) in enumerate(INDICATORS)])
        db.session.execute(insert(GoalReview), [
            {"instance_id": instances[pid], "project_id": pid, "round_no": 1, "grade": "优", "outcome": "approved",
             "approved_version_id": versions[pid], "control_amount": amounts[n]}
            for n, (pid, _) in enumerate(projects)])
        # Payments: each month a share of the budget, so the execution rates spread over the three colours.
        payments = []
        for n, (pid, _) in enumerate(projects):
            pace = rng.choice((0.2, 0.45, 0.6, 0.75, 0.9, 1.0, 1.1))
            for m in range(1, month + 1):
                payments.append({"project_id": pid, "year": 2027, "month": m,
                                 "amount": (amounts[n] * Decimal(pace) / 12).quantize(Decimal("0.01"))})
        db.session.execute(insert(PaymentRecord), payments)
        db.session.commit()
    analyze(app)


def analyze(app) -> None:
    """Planner statistics after a bulk load, as autovacuum (PostgreSQL) would gather within a minute of it: without
    them PostgreSQL guesses 8 reports in a round of 3,000 and joins a department's projects by nested loop."""
    from sqlalchemy import text

    from workflow_app.extensions import db
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))


def mark_submitted(app, round_id: int) -> None:
    """Leave the reports as submitted 监控表 would: 执行率 from the prefilled 执行数, the computed colour, some
    flagged indicators and outcomes (one UPDATE per report, in one transaction: seeding, not measured)."""
    from sqlalchemy import select, update

    from workflow_app.extensions import db
    from workflow_app.models import MonitoringReport, MonitoringRound
    from workflow_app.services.execution import execution_rate
    from workflow_app.services.monitoring_warnings import execution_colour
    rng = random.Random(7)
    with app.app_context():
        month = db.session.scalar(select(MonitoringRound.month).where(MonitoringRound.id == round_id))
        rows = list(db.session.execute(select(MonitoringReport.id, MonitoringReport.budget, MonitoringReport.executed)
                                       .where(MonitoringReport.round_id == round_id)))
        values = []
        for report_id, budget, executed in rows:
            rate = execution_rate(executed or 0, budget)
            values.append({"rid": report_id, "execution_rate": rate, "colour": execution_colour(rate, month),
                           "flagged_rows": rng.choice((0, 0, 0, 1, 2)), "times_submitted": 1,
                           "outcome": rng.choice((None, None, "continue", "continue", "correct", "adjust", "suspend")),
                           "executed": executed or 0})
        from sqlalchemy import bindparam
        db.session.execute(update(MonitoringReport.__table__).where(MonitoringReport.__table__.c.id == bindparam("rid"))
                           .values(execution_rate=bindparam("execution_rate"), colour=bindparam("colour"),
                                   flagged_rows=bindparam("flagged_rows"), times_submitted=bindparam("times_submitted"),
                                   outcome=bindparam("outcome"), executed=bindparam("executed")), values)
        db.session.commit()


# -- the run ----------------------------------------------------------------------------------------
def run(db, args) -> dict:
    import redis
    from sqlalchemy import func, select

    broker = args.broker
    client = redis.Redis.from_url(broker)
    client.delete("celery")   # this database number is the bench's own: a queue left by a killed run goes
    app = make_app(db, CELERY_BROKER_URL=broker)
    started = time.perf_counter()
    seed(app, args.count, args.month)
    seeded = time.perf_counter() - started
    print(f"  {db.kind}: seeded {args.count} projects in {seeded:.1f} s", flush=True)

    from workflow_app.extensions import db as sadb
    from workflow_app.models import MonitoringReport, ProcessInstance
    env = app_env(db, CELERY_BROKER_URL=broker)
    procs, logs = [], []
    try:
        procs, logs = start_celery_workers(env, 0 if args.board_only else args.workers, args.concurrency, "benchmon")
        from workflow_app.worker import celery_app
        if not args.board_only:
            wait_for_workers(celery_app, args.workers, procs, logs)

        api = app.test_client()
        token = api.post("/api/v1/auth/token", json={"username": "jxk", "password": PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def counts(round_id: int) -> tuple[int, int]:
            with app.app_context():
                with sadb.engine.connect() as conn:
                    reports = conn.scalar(select(func.count()).select_from(MonitoringReport).where(
                        MonitoringReport.round_id == round_id, MonitoringReport.instance_id.is_not(None)))
                    instances = conn.scalar(select(func.count()).select_from(ProcessInstance)
                                            .where(ProcessInstance.process_key == "monitoring"))
            return reports, instances

        started = time.perf_counter()
        response = api.post("/api/v1/monitoring-rounds", json={"year": 2027, "month": args.month}, headers=headers)
        request_seconds = time.perf_counter() - started
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST /api/v1/monitoring-rounds: {response.status_code} {response.get_data(as_text=True)[:500]}")
        round_id = response.get_json()["id"]
        deadline, last_print = started + args.timeout, started
        while not args.board_only:
            reports, instances = counts(round_id)
            if reports >= args.count and instances >= args.count:
                break
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out after {args.timeout} s with {reports} of {args.count}; "
                                 f"worker logs: {[l.name for l in logs]}")
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker exited; logs: {[l.name for l in logs]}")
            if time.perf_counter() - last_print > 5:
                print(f"  {db.kind}: {reports}/{args.count} after {time.perf_counter() - started:.0f} s", flush=True)
                last_print = time.perf_counter()
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        print(f"  {db.kind}: round of {args.count} started in {seconds:.1f} s (request {request_seconds:.2f} s)",
              flush=True)
    finally:
        stop_processes(procs, logs)
        try:
            client.delete("celery")
            client.close()
        except Exception:  # noqa: BLE001 - best effort cleanup of the bench's own queue
            pass

    mark_submitted(app, round_id)
    analyze(app)
    boards = measure_board(app, round_id, args.runs, headers)
    return {"seed": seeded, "request": request_seconds, "seconds": seconds, "boards": boards}


def login(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def measure_board(app, round_id: int, runs: int, headers: dict[str, str]) -> dict[str, Samples]:
    requests = [
        ("page /monitoring/rounds/<id>/board (jxk)", login(app, "jxk"), f"/monitoring/rounds/{round_id}/board", {}),
        ("page, one department (rsj_filer)", login(app, "rsj_filer"), f"/monitoring/rounds/{round_id}/board", {}),
        ("GET /api/v1/monitoring-rounds/<id>/board (jxk)", app.test_client(),
         f"/api/v1/monitoring-rounds/{round_id}/board", headers),
        ("GET .../summary.xlsx, 3,000 rows (jxk)", app.test_client(),
         f"/api/v1/monitoring-rounds/{round_id}/summary.xlsx", headers),
    ]
    result: dict[str, Samples] = {}
    for name, client, path, extra in requests:
        n = runs if "xlsx" not in path else max(3, runs // 10)
        for _ in range(3):   # warm-up: templates compiled, caches filled
            assert client.get(path, headers=extra).status_code == 200, path
        samples = Samples()
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(path, headers=extra)
            samples.add(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        result[name] = samples
        print(f"  {name}: p50 {samples.median:.1f} ms, p95 {samples.p(95):.1f} ms", flush=True)
    return result


if __name__ == "__main__":
    main()
    print("\n" + load_note())
