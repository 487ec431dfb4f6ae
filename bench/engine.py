#!/usr/bin/env python
"""Where the time of one task completion goes, piece by piece, on the app's real code paths.

Runs goal reviews (services.goal_review.start_goal_review, then services.instances.complete_task for
each step of tests/goal_flow.py's excellent path) and two-step instances (services.instances.start_instance)
in this process on a fresh, migrated and seeded database. Timers are wrapped around the real functions
(nothing is reimplemented):

  lock+load         instances.lock_visible_task (UPDATE lock_version of the task's instance, one SELECT of
                    the task row with the instance row and its state, the policy check)
  form build        instances.build_task_form (hooks' form_context + WTForms build)
  form validate     TaskForm.validate
  domain before     hooks.before_complete (goal versions, opinions, expert draw)
  deserialize       WorkflowRun.load (orjson + Spiff's converters)
  run+engine steps  WorkflowRun.complete (task.run + do_engine_steps)
  serialize         WorkflowRun.dump
  save              flush of the instance row (state bytes) and the task row, forced just before the sync
  task-table sync   instances.sync_human_tasks (ready_tasks(), SELECT of ready rows, insert/cancel, notify)
  domain after      hooks.after_step
  commit            Session commit: before_commit listeners (e.g. the audit chain), remaining flush, COMMIT
  other             the rest of complete_task (checks, audit row, Completion, ...)

A second table replays the captured engine calls without a database (load + complete + dump of the same
state, many times) for tight medians of the pure engine pieces.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
# bench/http.py must never shadow the standard library's `http`: keep this folder last on the path.
sys.path[:] = [p for p in sys.path if p not in ("", _HERE)] + [_HERE]

import argparse  # noqa: E402
import copy  # noqa: E402
import functools  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from typing import Any  # noqa: E402

from benchlib import (GOAL_REVIEW_STEPS, Samples, database, make_app, ms, percentile, header,  # noqa: E402
                      table, verdict)
from benchlib import load_note  # noqa: E402

PIECES = ["lock+load", "form build", "form validate", "domain before", "deserialize",
          "run+engine steps", "serialize", "save (flush state)", "task-table sync", "domain after", "commit",
          "other"]


class Probe:
    """Accumulates time per piece for the completion in progress."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.active = False
        self.captured: list[dict[str, Any]] = []   # engine calls, for the no-DB replay
        self.statements: list[str] = []             # SQL statements of the completion in progress
        self._commit_started: float | None = None

    def reset(self) -> None:
        self.current = defaultdict(float)
        self.statements = []

    def wrap(self, label: str, fn):
        probe = self

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                probe.current[label] += time.perf_counter() - started
        return timed


def install(probe: Probe) -> None:
    """Wrap the real functions of the service and engine layers with timers (this process only)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    import forms
    from workflow_app.engine import WorkflowRun
    from workflow_app.extensions import db
    from workflow_app.services import instances

    instances.lock_visible_task = probe.wrap("lock+load", instances.lock_visible_task)
    instances.build_task_form = probe.wrap("form build", instances.build_task_form)
    forms.TaskForm.validate = probe.wrap("form validate", forms.TaskForm.validate)

    real_load = WorkflowRun.load.__func__
    real_complete = WorkflowRun.complete
    real_dump = WorkflowRun.dump

    def load(cls, state, spec, subprocess_specs, script_engine):
        started = time.perf_counter()
        try:
            run = real_load(cls, state, spec, subprocess_specs, script_engine)
        finally:
            probe.current["deserialize"] += time.perf_counter() - started
        if probe.active:
            probe.captured.append({"state": bytes(state), "spec": spec, "subs": subprocess_specs,
                                   "engine": script_engine})
        return run

    def complete(self, guid, data):
        if probe.active and probe.captured:
            probe.captured[-1].update(guid=guid, data=copy.deepcopy(data))
        started = time.perf_counter()
        try:
            return real_complete(self, guid, data)
        finally:
            probe.current["run+engine steps"] += time.perf_counter() - started

    WorkflowRun.load = classmethod(load)
    WorkflowRun.complete = complete
    WorkflowRun.dump = probe.wrap("serialize", real_dump)

    real_sync = instances.sync_human_tasks

    def sync(instance, run, project, **kwargs):
        started = time.perf_counter()
        db.session.flush()  # what autoflush would do at the sync's first SELECT: write the state row
        middle = time.perf_counter()
        probe.current["save (flush state)"] += middle - started
        try:
            return real_sync(instance, run, project, **kwargs)
        finally:
            probe.current["task-table sync"] += time.perf_counter() - middle
    instances.sync_human_tasks = sync

    real_hooks_for = instances.hooks_for

    class TimedHooks:
        def __init__(self, inner):
            self._inner = inner

        def __getattr__(self, name):
            value = getattr(self._inner, name)
            if name == "before_complete":
                return probe.wrap("domain before", value)
            if name == "after_step":
                return probe.wrap("domain after", value)
            return value
    instances.hooks_for = lambda key: TimedHooks(real_hooks_for(key))

    from sqlalchemy.engine import Engine

    def _count(conn, cursor, statement, parameters, context, executemany):
        if probe.active:
            probe.statements.append(" ".join(statement.split()))
    event.listen(Engine, "before_cursor_execute", _count)

    def _before_commit(session):
        probe._commit_started = time.perf_counter()
    # insert=True: run before the app's own before_commit listeners, so their work counts as commit time
    event.listen(Session, "before_commit", _before_commit, insert=True)

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        if probe._commit_started is not None:
            probe.current["commit"] += time.perf_counter() - probe._commit_started
            probe._commit_started = None


class Driver:
    """Runs completions through services.instances.complete_task, one app context (= one request) each."""

    def __init__(self, app, probe: Probe) -> None:
        self.app = app
        self.probe = probe
        self.rows: list[dict[str, Any]] = []   # one per completion: model, task, total, pieces
        self.project_seq = 0

    def user(self, username: str):
        from sqlalchemy import select

        from workflow_app.extensions import db
        from workflow_app.models import User
        return db.session.scalars(select(User).where(User.username == username)).one()

    def ready(self, instance_id: int, name: str, assignee: str | None = None) -> list[int]:
        from sqlalchemy import select

        from workflow_app.extensions import db
        from workflow_app.models import HumanTask
        query = select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.name == name,
                                           HumanTask.state == "ready")
        if assignee:
            query = query.where(HumanTask.assignee == assignee)
        return list(db.session.scalars(query.order_by(HumanTask.id)))

    def complete(self, model: str, username: str, task_id: int, name: str, body: dict[str, Any]) -> None:
        from workflow_app.extensions import db
        from workflow_app.services import instances
        with self.app.test_request_context():
            actor = self.user(username)
            state_size = None
            self.probe.reset()
            self.probe.active = True
            started = time.perf_counter()
            done = instances.complete_task(actor, task_id, json=body)
            total = time.perf_counter() - started
            self.probe.active = False
            pieces = dict(self.probe.current)
            pieces["other"] = max(0.0, total - sum(pieces.values()))
            state_size = len(done.instance.state or b"")
            self.rows.append({"model": model, "task": name, "total": total, "pieces": pieces,
                              "state_bytes": state_size, "statements": list(self.probe.statements)})
            db.session.remove()

    # -- goal review ------------------------------------------------------------------------------
    def create_projects(self, department: str, filer: str, count: int) -> list[int]:
        """Fresh projects to review (a project whose goals are approved cannot be reviewed again)."""
        from workflow_app.services import projects
        ids = []
        with self.app.test_request_context():
            actor = self.user(filer)
            for _ in range(count):
                self.project_seq += 1
                ids.append(projects.create_project(actor, {
                    "code": f"BENCH-{department.upper()}-{self.project_seq:05d}", "name": "基准测试项目",
                    "department": department, "fiscal_year": 2027, "amount": "320.00"}).id)
        return ids

    def goal_review(self, project_id: int, filer: str, head: str) -> None:
        from sqlalchemy import select

        from workflow_app.extensions import db
        from workflow_app.models import HumanTask
        from workflow_app.services import goal_review
        with self.app.test_request_context():
            instance_id = goal_review.start_goal_review(self.user(filer), project_id).id
            db.session.remove()
        who = {"filer": filer, "head": head}
        for name, actor, body in GOAL_REVIEW_STEPS:
            if actor == "experts":
                with self.app.test_request_context():
                    experts = sorted(db.session.scalars(select(HumanTask.assignee).where(
                        HumanTask.instance_id == instance_id, HumanTask.name == "expert_review",
                        HumanTask.state == "ready")))
                for expert in experts:
                    with self.app.test_request_context():
                        task_id = self.ready(instance_id, name, expert)[0]
                    self.complete("goal_review", expert, task_id, name, body())
                continue
            username = who.get(actor, actor)
            with self.app.test_request_context():
                ids = self.ready(instance_id, name)
            if not ids:
                raise SystemExit(f"goal review {instance_id}: no ready task {name}")
            self.complete("goal_review", username, ids[0], name, body())
        with self.app.test_request_context():
            from workflow_app.models import ProcessInstance
            status = db.session.get(ProcessInstance, instance_id).status
            if status != "completed":
                raise SystemExit(f"goal review {instance_id} ended in status {status}")

    # -- two step ---------------------------------------------------------------------------------
    def two_step(self) -> None:
        from workflow_app.extensions import db
        from workflow_app.services import instances
        with self.app.test_request_context():
            started = instances.start_instance(self.user("jxk"), "two_step", {"title": "bench"})
            instance_id = started.instance.id
            db.session.remove()
        for name in ("first", "second"):
            with self.app.test_request_context():
                task_id = self.ready(instance_id, name)[0]
            self.complete("two_step", "jxk", task_id, name, {"text": f"{name} done"})


def replay(captured: list[dict[str, Any]], repeat: int) -> dict[str, Samples]:
    """load + complete + dump of each captured call, without the database, `repeat` times."""
    from workflow_app.engine import WorkflowRun
    out: dict[str, Samples] = defaultdict(Samples)
    load = WorkflowRun.load
    for _ in range(repeat):
        for item in captured:
            if "guid" not in item:
                continue
            t0 = time.perf_counter()
            run = load(item["state"], item["spec"], item["subs"], item["engine"])
            t1 = time.perf_counter()
            run.complete(item["guid"], copy.deepcopy(item["data"]))
            t2 = time.perf_counter()
            run.dump()
            t3 = time.perf_counter()
            key = item["model"]
            out[(key, "deserialize")].add(t1 - t0)
            out[(key, "run+engine steps")].add(t2 - t1)
            out[(key, "serialize")].add(t3 - t2)
            out[(key, "engine total")].add(t3 - t0)
    return out


def piece_table(rows: list[dict[str, Any]], title: str) -> str:
    if not rows:
        return ""
    totals = Samples([r["total"] for r in rows])
    out_rows = []
    for piece in PIECES:
        values = [r["pieces"].get(piece, 0.0) for r in rows]
        share = sum(values) / sum(r["total"] for r in rows) * 100
        out_rows.append([piece, ms(percentile(values, 50)), ms(percentile(values, 95)),
                         ms(sum(values) / len(values)), f"{share:.1f}%"])
    out_rows.append(["TOTAL complete_task", totals.p(50), totals.p(95), totals.mean, "100%"])
    return table(["piece", "p50 ms", "p95 ms", "mean ms", "share of time"], out_rows,
                 f"{title} — {len(rows)} completions")


def per_task_table(rows: list[dict[str, Any]], title: str) -> str:
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_task[r["task"]].append(r)
    out = []
    for name, items in by_task.items():
        med = lambda p: ms(percentile([i["pieces"].get(p, 0.0) for i in items], 50))  # noqa: E731
        out.append([name, len(items), ms(percentile([i["total"] for i in items], 50)), med("lock+load"),
                    med("deserialize"), med("run+engine steps"), med("serialize"), med("save (flush state)"),
                    med("task-table sync"), med("domain before") + med("domain after"), med("commit"),
                    int(percentile([i["state_bytes"] for i in items], 50)),
                    int(percentile([len(i["statements"]) for i in items], 50))])
    return table(["task", "n", "total p50", "lock+load", "deser", "run", "ser", "save", "sync", "domain", "commit",
                  "state bytes", "SQL stmts"], out, f"{title}: medians per task (ms)")


def statements_listing(rows: list[dict[str, Any]], title: str, width: int = 150) -> str:
    """The SQL statements of one typical completion (the median one by count), one line each."""
    if not rows:
        return ""
    counts = sorted(len(r["statements"]) for r in rows)
    median = counts[len(counts) // 2]
    row = next(r for r in rows if len(r["statements"]) == median)
    lines = [f"\n### {title}: the {median} SQL statements of one `{row['task']}` completion\n", "```"]
    for n, statement in enumerate(row["statements"], 1):
        lines.append(f"{n:2d} {statement[:width]}{' …' if len(statement) > width else ''}")
    lines.append("```")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite",
                        help="database of the run (a fresh one is created and dropped; default sqlite)")
    parser.add_argument("--goal-reviews", type=int, default=20,
                        help="full goal reviews to run (11 completions each; default 20)")
    parser.add_argument("--two-step", type=int, default=200, help="two-step instances to run (default 200)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured goal reviews/instances first (default 2)")
    parser.add_argument("--replay", type=int, default=20, help="no-DB engine replays of each call (default 20)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database afterwards")
    args = parser.parse_args()

    header(f"bench/engine.py — {args.db}")
    with database(args.db, "engine", keep=args.keep_db) as db:
        app = make_app(db)
        probe = Probe()
        install(probe)
        driver = Driver(app, probe)
        project_ids = driver.create_projects("rsj", "rsj_filer", args.warmup + args.goal_reviews)
        for _ in range(args.warmup):
            driver.goal_review(project_ids.pop(0), "rsj_filer", "rsj_head")
            driver.two_step()
        driver.rows.clear()
        probe.captured.clear()
        started = time.perf_counter()
        for _ in range(args.goal_reviews):
            driver.goal_review(project_ids.pop(0), "rsj_filer", "rsj_head")
        goal_seconds = time.perf_counter() - started
        goal_captured = [dict(c, model="goal_review") for c in probe.captured]
        probe.captured.clear()
        started = time.perf_counter()
        for _ in range(args.two_step):
            driver.two_step()
        two_seconds = time.perf_counter() - started
        two_captured = [dict(c, model="two_step") for c in probe.captured]

        goal_rows = [r for r in driver.rows if r["model"] == "goal_review"]
        two_rows = [r for r in driver.rows if r["model"] == "two_step"]
        print(piece_table(goal_rows, f"goal review ({args.goal_reviews} reviews, {goal_seconds:.1f} s, {args.db})"))
        print(per_task_table(goal_rows, "goal review"))
        print(piece_table(two_rows, f"two_step ({args.two_step} instances, {two_seconds:.1f} s, {args.db})"))
        print(per_task_table(two_rows, "two_step"))
        print(statements_listing(two_rows, "two_step"))

        with app.app_context():
            replayed = replay(goal_captured + two_captured, args.replay)
        rows = []
        for model in ("goal_review", "two_step"):
            for piece in ("deserialize", "run+engine steps", "serialize", "engine total"):
                s = replayed.get((model, piece))
                if s:
                    rows.append([f"{model}: {piece}", len(s), s.p(50), s.p(95)])
        print(table(["engine only, no DB", "n", "p50 ms", "p95 ms"], rows,
                    f"engine replay ({args.replay}x each captured completion)"))

        two_total = Samples([r["total"] for r in two_rows])
        print(table(["figure", "measured", "target", "verdict"], [
            ["two_step complete_task p50 (service call, no HTTP)", f"{two_total.p(50):.2f} ms", "≤ 9 ms",
             verdict(two_total.p(50), 9)],
            ["two_step complete_task p95 (service call, no HTTP)", f"{two_total.p(95):.2f} ms", "≤ 20 ms",
             verdict(two_total.p(95), 20)],
        ], "against the targets (the targets are for HTTP; see bench/http.py)"))


if __name__ == "__main__":
    main()
    print("\n" + load_note())
