#!/usr/bin/env python
"""Start a yearly monitoring round — 3,000 instances in one go — through Celery workers, and time it.

Needs a Celery task the product does not have yet:

    workflow_app.start_instances_batch(process_key: str, items: list[dict], username: str)

registered on `workflow_app.worker.celery_app` under exactly that name: it starts one instance of
`process_key` per dict in `items` (the dict is the instance's start data, as the "data" of
POST /api/v1/processes/<key>/instances), acting as `username`. Until it exists this bench stops with a clear
message (exit code 2).

Setup: a fresh database (`db upgrade`, `seed-demo`, BPMN_DIRS=bench/bpmn), Redis at 127.0.0.1:6379 as the
broker (a queue of its own per run, deleted afterwards), and N `celery -A workflow_app.celery_entry worker`
processes (default 2, --concurrency 1 each) consuming that queue. The 3,000 start-data dicts are sent as
chunks (default 100 per task, each with its own `chunk_key` "<round>:<chunk no>" so that a redelivered chunk
starts nothing twice) with `celery_app.send_task`; the clock runs from the first send until the
database holds all 3,000 instances and their 3,000 ready `first` task rows.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in ("", _HERE)] + [_HERE]  # bench/http.py must not shadow `http`

import argparse  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

from benchlib import app_env, database, make_app, rss_mb, header, table, verdict  # noqa: E402
from benchlib import load_note, start_celery_workers, stop_processes, wait_for_workers  # noqa: E402

TASK_NAME = "workflow_app.start_instances_batch"
SIGNATURE = "start_instances_batch(process_key: str, items: list[dict], username: str, chunk_key: str | None = None)"


def missing_task_message() -> str:
    return (f"\nThe Celery task {TASK_NAME!r} is not registered on workflow_app.worker.celery_app.\n"
            f"bench/batch.py needs it: {SIGNATURE}\n"
            "  - one instance of process_key per dict in items (the dict is the start data),\n"
            "  - started as the user `username` (services.instances.start_instance rules apply).\n"
            "Add it to workflow_app/worker.py, then run this bench again.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,postgresql", help="comma list of sqlite, postgresql (default both)")
    parser.add_argument("--count", type=int, default=3000, help="instances to start (default 3000)")
    parser.add_argument("--chunk", type=int, default=100, help="start-data dicts per Celery task (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes (default 2)")
    parser.add_argument("--concurrency", type=int, default=1, help="--concurrency of each worker (default 1)")
    parser.add_argument("--process", default="two_step", help="process key to start (default two_step)")
    parser.add_argument("--username", default="jxk", help="who starts them (default jxk)")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/0"),
                        help="Celery broker (default redis://127.0.0.1:6379/0)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds (600)")
    args = parser.parse_args()

    header("bench/batch.py")
    print(f"task: {TASK_NAME} — {SIGNATURE}")
    rows, checks = [], []
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        with database(kind, "batch") as db:
            result = run_batch(db, args)
        rows.append([kind, args.count, args.chunk, f"{args.workers} x --concurrency {args.concurrency}",
                     f"{result['enqueue']:.2f}", f"{result['seconds']:.1f}", f"{args.count / result['seconds']:.0f}",
                     ", ".join(f"{v:.0f}" for v in result["rss"])])
        checks.append([f"{kind}: batch of {args.count} with {args.workers} workers", f"{result['seconds']:.1f} s",
                       "≤ 30 s", verdict(result["seconds"], 30)])
    print(table(["db", "instances", "chunk", "workers", "enqueue s", "total s", "instances/s", "worker RSS MB"],
                rows, "batch start through Celery"))
    print(table(["figure", "measured", "target", "verdict"], checks, "against the target"))


def run_batch(db, args) -> dict:
    import redis
    from sqlalchemy import func, select

    app = make_app(db, CELERY_BROKER_URL=args.broker)
    from workflow_app.worker import celery_app
    if TASK_NAME not in celery_app.tasks:
        print(missing_task_message(), file=sys.stderr)
        raise SystemExit(2)
    celery_app.conf.broker_url = args.broker
    queue = f"wf_bench_batch_{os.getpid()}"
    env = app_env(db, CELERY_BROKER_URL=args.broker)
    procs, logs = [], []
    try:
        procs, logs = start_celery_workers(env, args.workers, args.concurrency, "bench", queue)
        wait_for_workers(celery_app, args.workers, procs, logs)
        registered = celery_app.control.inspect(timeout=5).registered() or {}
        if not all(TASK_NAME in tasks for tasks in registered.values()):
            print(missing_task_message() + f"(workers report: {registered})", file=sys.stderr)
            raise SystemExit(2)

        items = [{"title": f"2027年度绩效运行监控 #{i + 1}", "round": "2027-monitoring", "seq": i + 1}
                 for i in range(args.count)]
        chunks = [items[i:i + args.chunk] for i in range(0, len(items), args.chunk)]
        from workflow_app.extensions import db as sadb
        from workflow_app.models import HumanTask, ProcessInstance

        def counts() -> tuple[int, int]:
            with app.app_context():
                with sadb.engine.connect() as conn:
                    a = conn.scalar(select(func.count()).select_from(ProcessInstance)
                                    .where(ProcessInstance.process_key == args.process))
                    b = conn.scalar(select(func.count()).select_from(HumanTask)
                                    .where(HumanTask.process_key == args.process, HumanTask.state == "ready"))
            return a, b

        before = counts()
        started = time.perf_counter()
        # One key per chunk: a chunk delivered again (a worker killed before its ack) starts nothing twice.
        round_id = f"bench-{os.getpid()}-{time.time_ns()}"
        for number, chunk in enumerate(chunks):
            celery_app.send_task(TASK_NAME, args=[args.process, chunk, args.username], queue=queue,
                                 kwargs={"chunk_key": f"{round_id}:{number}"})
        enqueue = time.perf_counter() - started
        deadline = started + args.timeout
        last_print = started
        while True:
            now_counts = counts()
            done = now_counts[0] - before[0]
            if done >= args.count and now_counts[1] - before[1] >= args.count:
                break
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out after {args.timeout} s with {done} of {args.count} started; "
                                 f"worker logs: {[l.name for l in logs]}")
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker exited; logs: {[l.name for l in logs]}")
            if time.perf_counter() - last_print > 5:
                print(f"  {db.kind}: {done}/{args.count} after {time.perf_counter() - started:.0f} s", flush=True)
                last_print = time.perf_counter()
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        rss = []
        for p in procs:
            import psutil
            try:
                proc = psutil.Process(p.pid)
                rss += [rss_mb(c.pid) for c in proc.children()] or [rss_mb(p.pid)]
            except psutil.NoSuchProcess:
                pass
        print(f"  {db.kind}: {args.count} instances in {seconds:.1f} s (enqueue {enqueue:.2f} s)", flush=True)
        return {"seconds": seconds, "enqueue": enqueue, "rss": rss}
    finally:
        stop_processes(procs, logs)
        try:
            client = redis.Redis.from_url(args.broker)
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
            client.close()
        except Exception:  # noqa: BLE001 - best effort cleanup of our own queue
            pass


if __name__ == "__main__":
    main()
    print("\n" + load_note())
