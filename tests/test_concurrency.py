"""Concurrent completions of one instance: none is lost, none is applied twice, nobody sees a 500."""
from __future__ import annotations

import threading

from .helpers import RSJ, project_id, start


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    results: list[int] = [0] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_three_reviewers_finishing_at_the_same_instant_all_land(app, api):
    jxk = api("jxk")
    start(jxk, "test_parallel", {"reviewers": ["expert1", "expert2", "expert3"]})
    prepare = jxk.tasks("group")[0]
    assert jxk.complete(prepare["id"], {"text": "材料"}).status_code == 200
    clients = [api(name) for name in ("expert1", "expert2", "expert3")]
    tasks = [c.tasks("mine")[0] for c in clients]
    results = _at_once([
        (lambda c=c, t=t: c.complete(t["id"], {"text": f"{c.username} 意见"}).status_code)
        for c, t in zip(clients, tasks)])
    assert results == [200, 200, 200]
    assert [t["name"] for t in jxk.tasks("group")] == ["summarize"]
    for c in clients:
        assert [t["name"] for t in c.tasks("done")] == ["review"]


def test_the_same_task_completed_by_many_at_once_lands_once(app, api):
    start(api("jxk"), "test_approval", {}, project_id(app, RSJ))
    clients = [api("rsj_filer") for _ in range(10)]
    task = clients[0].tasks("group")[0]
    results = _at_once([(lambda c=c: c.complete(task["id"], {"text": "同时提交"}).status_code) for c in clients])
    assert sorted(results) == [200] + [409] * 9
    head = api("rsj_head")
    assert [t["name"] for t in head.tasks("group")] == ["approve"]
