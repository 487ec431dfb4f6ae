#!/usr/bin/env python
"""pyinstrument profile of `POST /api/v1/tasks/<id>/complete` (and of `GET /api/v1/tasks`, and of the start)
through the Flask test client: the whole request (auth, policy, form, lock, engine, save, sync, audit,
commit, JSON) without the network. Only the profiled requests are inside the profiler; finding tasks and
starting instances are not (except in the `start` profile).

Writes the full call trees to <out>/profile-<name>.txt and .html and prints the top functions by own time.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in ("", _HERE)] + [_HERE]  # bench/http.py must not shadow `http`

import argparse  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from benchlib import (GOAL_REVIEW_STEPS, PASSWORD, Samples, database, make_app, header,  # noqa: E402
                      table)
from benchlib import load_note  # noqa: E402


class Client:
    def __init__(self, app, username: str) -> None:
        self.client = app.test_client()
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        self.username = username

    def get(self, path: str) -> Any:
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.client.post(path, json=body, headers=self.headers)
        assert response.status_code == expect, (path, response.status_code, response.get_json())
        return response.get_json()

    def find(self, name: str, instance_id: int) -> dict:
        for scope in ("mine", "group"):
            items = [t for t in self.get(f"/api/v1/tasks?scope={scope}&instance_id={instance_id}")["items"]
                     if t["name"] == name]
            if items:
                return items[0]
        raise RuntimeError(f"{self.username}: no {name} in {instance_id}")


class Profiled:
    def __init__(self, interval: float) -> None:
        from pyinstrument import Profiler
        self.profiler = Profiler(interval=interval)
        self.samples = Samples()

    def __call__(self, fn, *args, **kwargs):
        self.profiler.start()
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.samples.add(time.perf_counter() - started)
            self.profiler.stop()


def top_functions(profiler, limit: int) -> list[list[Any]]:
    """(own seconds, share, function, file:line) from pyinstrument's flat view."""
    text = profiler.output_text(flat=True, unicode=False, color=False, show_all=True)
    rows = []
    total = None
    for line in text.splitlines():
        match = re.match(r"^\s*([0-9.]+)\s+(\S.*?)\s{2,}(.*)$", line) or re.match(r"^\s*([0-9.]+)\s+(\S+)\s+(.*)$", line)
        if not match:
            continue
        seconds, func, where = float(match.group(1)), match.group(2), match.group(3)
        if func == "[self]":  # pyinstrument lumps the own time of frames that have children here
            continue
        rows.append([seconds, func, where])
    total = profiler.last_session.duration if profiler.last_session else (sum(r[0] for r in rows) or 1.0)
    return [[f"{r[0] * 1000:.0f}", f"{r[0] / total * 100:.1f}%", r[1], shorten(r[2])] for r in rows[:limit]]


def shorten(where: str) -> str:
    where = where.replace(str(Path(sys.executable).parent.parent) + "/lib/python3.11/site-packages/", "")
    return re.sub(r".*/work/main/", "", where)


def shorten_line(line: str) -> str:
    return line.replace(str(Path(sys.executable).parent.parent) + "/lib/python3.11/site-packages/", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--two-step", type=int, default=300, help="two_step instances (2 completions each)")
    parser.add_argument("--goal-reviews", type=int, default=15, help="goal reviews (11 completions each)")
    parser.add_argument("--interval", type=float, default=0.001, help="pyinstrument sampling interval (s)")
    parser.add_argument("--top", type=int, default=20, help="functions listed per profile (default 20)")
    parser.add_argument("--threshold", type=float, default=0.015,
                        help="hide call-tree nodes under this share of the total (default 0.015)")
    parser.add_argument("--out", default="/tmp/wf-profile", help="folder for the full trees (txt, html)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    header(f"bench/profile_complete.py — {args.db}")
    with database(args.db, "profile") as db:
        app = make_app(db)
        users: dict[str, Client] = {}

        def user(name: str) -> Client:
            if name not in users:
                users[name] = Client(app, name)
            return users[name]

        complete_two = Profiled(args.interval)
        complete_goal = Profiled(args.interval)
        inbox = Profiled(args.interval)
        start = Profiled(args.interval)
        jxk = user("jxk")
        for n in range(args.two_step + 5):
            measured = n >= 5
            if measured:
                instance = start(jxk.post, "/api/v1/processes/two_step/instances", {"data": {"n": n}}, 201)
            else:
                instance = jxk.post("/api/v1/processes/two_step/instances", {"data": {"n": n}}, 201)
            for name in ("first", "second"):
                task = jxk.find(name, instance["id"])
                body = {"data": {"text": name}}
                if measured:
                    complete_two(jxk.post, f"/api/v1/tasks/{task['id']}/complete", body)
                    inbox(jxk.get, "/api/v1/tasks?scope=group")
                else:
                    jxk.post(f"/api/v1/tasks/{task['id']}/complete", body)

        filer = user("rsj_filer")
        for n in range(args.goal_reviews + 1):
            measured = n >= 1
            project = filer.post("/api/v1/projects", {"code": f"PROF-{n:04d}", "name": "剖析项目", "department": "rsj",
                                                      "fiscal_year": 2027, "amount": "320.00"}, 201)
            instance_id = filer.post(f"/api/v1/projects/{project['id']}/goal-review", None, 201)["instance_id"]
            for name, actor, body in GOAL_REVIEW_STEPS:
                if actor == "experts":
                    detail = jxk.get(f"/api/v1/instances/{instance_id}")
                    actors = sorted(t["assignee"] for t in detail["ready_tasks"] if t["name"] == name)
                else:
                    actors = [{"filer": "rsj_filer", "head": "rsj_head"}.get(actor, actor)]
                for username in actors:
                    client = user(username)
                    task = client.find(name, instance_id)
                    path = f"/api/v1/tasks/{task['id']}/complete"
                    if measured:
                        complete_goal(client.post, path, {"data": body()})
                    else:
                        client.post(path, {"data": body()})

        summary = []
        for label, prof in (("complete-two_step", complete_two), ("complete-goal_review", complete_goal),
                            ("inbox-group-jxk", inbox), ("start-two_step", start)):
            (out / f"profile-{label}.txt").write_text(prof.profiler.output_text(unicode=True, color=False))
            (out / f"profile-{label}.html").write_text(prof.profiler.output_html())
            summary.append([label, len(prof.samples), prof.samples.p(50), prof.samples.p(95)])
            print(f"\n### {label}: call tree ({len(prof.samples)} requests, p50 {prof.samples.p(50):.2f} ms "
                  f"under the profiler; library frames folded)\n\n```")
            tree = prof.profiler.output_text(unicode=True, color=False,
                                             processor_options={"filter_threshold": args.threshold})
            print("\n".join(shorten_line(l) for l in tree.splitlines()[5:]).strip("\n") + "\n```")
            print(table(["own ms", "share", "function", "where"], top_functions(prof.profiler, args.top),
                        f"{label}: top functions by own time (leaf samples)"))
        print(table(["profile", "requests", "p50 ms (profiled)", "p95 ms (profiled)"], summary,
                    f"requests profiled (full trees in {out}/profile-*.txt|html)"))


if __name__ == "__main__":
    main()
    print("\n" + load_note())
