"""Who gets what from every route: the authorization matrix.

One table lists every API route and every page, with the answer each kind of user gets: the bureau (admin,
绩效科 jxk, 社保科 sbk), the project's own department (县人社局: rsj_filer, rsj_head), another department
(县水务局: slj_filer, slj_head), an expert, a supervisor, a third party, and nobody logged in.

The rule being checked: another department's thing is 404, a thing one may see but not do is 403 (on pages:
a redirect back with a message), never a 500. Where an allowed call would change the scenario, the request is
one the service refuses *after* the authorization check (422/409), or the user whose call succeeds is walked last.

Each row is walked against a freshly seeded database with one scenario (`build_scenario`):
  P  project 2027-RSJ-001 of 县人社局            I  its goal review, started by rsj_filer
  T  draft_goals of I (ready, unclaimed)         R  a rectification on P, opened by jxk
  RI R's instance   RT its submit_plan task      A  an attachment uploaded by rsj_filer (not used yet)
  N  rsj_filer's first notification              year  P's fiscal year
  E  (only with given="evidence E reported on R") evidence of a progress report on R, uploaded by rsj_filer
  RC  (only with given="re-check task RC of SE") the re-check task of SE (process self_evaluation_recheck)
  M, MR  (only with given="monitoring round M over P") a monitoring round M with P's report MR (not submitted
         yet), written to the tables

A route in `app.url_map` without a row fails `test_every_route_has_a_row`.
A cell written `BUG(n)` is the correct answer the code does not give yet: its row is a strict xfail
(it fails loudly once the code is fixed, so the cell can become a plain number).
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.security import generate_password_hash

from workflow_app.extensions import db
from workflow_app.models import Project, User
from workflow_app.services.demo import DEMO_PASSWORD

from .conftest import ApiClient, csrf_from
from .helpers import RSJ, SLJ, project_id

PDF = b"%PDF-1.4\n%authorization matrix\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The columns of the table, in the order the users are walked (a row's `last` moves some to the end).
USERS = ("admin", "jxk", "sbk", "rsj_filer", "rsj_head", "slj_filer", "slj_head", "expert1", "supervisor",
         "thirdparty")
ANONYMOUS = "anonymous"
COLUMNS = USERS + (ANONYMOUS,)


class _Login:
    """A page's answer to nobody logged in: 302 to /login."""

    def __repr__(self) -> str:
        return "302→/login"


LOGIN = _Login()


@dataclass(frozen=True)
class BUG:
    """The correct answer, which the code does not give yet (see the row's `bug`)."""

    status: int

    def __repr__(self) -> str:
        return f"BUG({self.status})"


FILE = "<multipart PDF upload>"          # the request body is a multipart upload of PDF as `file`


@dataclass(frozen=True)
class Row:
    kind: str                            # "api" (bearer token) or "page" (session cookie, CSRF token)
    method: str
    url: str                             # with {T} {I} {P} {R} {A} {N} {RT} {RI} {E} {M} {MR} {year}
    cells: tuple[Any, ...]               # one per COLUMNS
    body: Any = None                     # JSON (api), form fields (page) or FILE
    given: str | None = None             # a change to the scenario before the walk (see GIVEN)
    last: tuple[str, ...] = ()           # walked last, in this order: their call changes the state
    bug: str | None = None               # what is wrong where a cell says BUG(...)

    @property
    def expected(self) -> dict[str, Any]:
        assert len(self.cells) == len(COLUMNS), f"{self.method} {self.url}: {len(self.cells)} cells"
        return dict(zip(COLUMNS, self.cells))

    @property
    def walk_order(self) -> list[str]:
        return [u for u in COLUMNS if u not in self.last] + list(self.last)

    @property
    def id(self) -> str:
        return f"{self.kind} {self.method} {self.url}"


def Api(method: str, url: str, *cells: Any, **kw: Any) -> Row:  # noqa: N802 - reads as a table
    return Row("api", method, url, cells, **kw)


def Page(method: str, url: str, *cells: Any, **kw: Any) -> Row:  # noqa: N802
    return Row("page", method, url, cells, **kw)


# B200/B404 mark the cells of the two bugs this table found (reassign/urge checked the role before the
# task's visibility; rectification readers could not open its instance); both are fixed.
L, B200, B404 = LOGIN, 200, 404

# ---------------------------------------------------------------------------------------------------------
# The table: the status each user gets. L = 302 to /login; B404, B200 = BUG(...), see the row's `bug`.
# A page answers "may see but not do" with a redirect back to where one was, with a message (302).
# ---------------------------------------------------------------------------------------------------------
ROWS: list[Row] = [
    # --- the JSON API -------------------------------------------------------------------------------------------------
    #                                                                adm   jxk   sbk  rsjF  rsjH  sljF  sljH  exp1   sup   3rd  anon
    Api("POST",   "/api/v1/auth/token",                              200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,
        body={"username": "rsj_filer", "password": DEMO_PASSWORD}),
    Api("DELETE", "/api/v1/auth/token",                              200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/me",                                      200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/me/stand-in",                             200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("PUT",    "/api/v1/me/stand-in",                             422,  422,  422,  422,  422,  422,  422,  422,  422,  422,  401,
        body={"username": "nobody", "from": "soon", "until": "later"}),
    Api("DELETE", "/api/v1/me/stand-in",                             404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  401),
    Api("GET",    "/api/v1/notifications",                           200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("POST",   "/api/v1/notifications/{N}/read",                  404,  404,  404,  200,  404,  404,  404,  404,  404,  404,  401),
    Api("GET",    "/api/v1/openapi.json",                            200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    Api("GET",    "/api/v1/processes",                               200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("POST",   "/api/v1/processes/goal_review/instances",         422,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"data": ["not", "an", "object"], "project_id": None}),
    # 绩效运行监控 (jxk's start without approved goals is a 422; MR not submitted yet: no rectification, 409)
    Api("POST",   "/api/v1/monitoring-rounds",                       403,  422,  403,  403,  403,  403,  403,  404,  403,  404,  401,
        body={"year": "{year}", "month": 7}),
    Api("GET",    "/api/v1/monitoring-rounds",                       200,  200,  200,  200,  200,  200,  200,  404,  200,  404,  401),
    Api("GET",    "/api/v1/monitoring-rounds/{M}",                   200,  200,  200,  200,  200,  200,  200,  404,  200,  404,  401,
        given="monitoring round M over P"),
    Api("GET",    "/api/v1/monitoring-reports/{MR}",                 200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="monitoring round M over P"),
    Api("POST",   "/api/v1/monitoring-reports/{MR}/rectification",   403,  409,  403,  403,  403,  404,  404,  404,  403,  404,  401,
        given="monitoring round M over P"),
    Api("GET",    "/api/v1/instances/{I}",                           200,  200,  404,  200,  200,  404,  404,  404,  404,  404,  401),
    Api("GET",    "/api/v1/instances/{I}/comments",                  200,  200,  404,  200,  200,  404,  404,  404,  404,  404,  401),
    Api("POST",   "/api/v1/instances/{I}/comments",                  422,  422,  404,  422,  422,  404,  404,  404,  404,  404,  401,
        body={"text": "   "}),
    Api("POST",   "/api/v1/instances/{I}/withdraw",                  409,  409,  404,  409,  409,  404,  404,  404,  404,  404,  401,
        body={"reason": "nothing of mine to withdraw"}),
    Api("POST",   "/api/v1/projects",                                409,  409,  403,  409,  403,  403,  403,  403,  403,  403,  401,
        body={"code": RSJ, "name": "重复的项目", "department": "rsj", "fiscal_year": 2027, "amount": 10}),
    Api("GET",    "/api/v1/projects",                                200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/projects/{P}",                            200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401),
    Api("POST",   "/api/v1/projects/{P}/goal-review",                403,  403,  403,  409,  403,  404,  404,  404,  403,  404,  401),
    Api("POST",   "/api/v1/projects/{P}/rectifications",             403,  422,  403,  403,  403,  404,  404,  404,  403,  404,  401,
        body={"findings": [], "deadline": "someday", "source": "rumour"}),
    Api("GET",    "/api/v1/rectifications",                          200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/rectifications/{R}",                      200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401),
    Api("GET",    "/api/v1/rectifications/ledger.xlsx?year={year}",  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/tasks",                                   200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/tasks/{T}",                               200,  200,  404,  200,  200,  404,  404,  404,  404,  404,  401),
    Api("POST",   "/api/v1/tasks/{T}/claim",                         403,  403,  404,  200,  403,  404,  404,  404,  404,  404,  401,
        last=("rsj_filer",)),
    Api("POST",   "/api/v1/tasks/{T}/unclaim",                       200,  200,  404,  200,  403,  404,  404,  404,  404,  404,  401,
        given="T claimed by rsj_filer", last=("admin", "jxk", "rsj_filer")),
    Api("POST",   "/api/v1/tasks/{T}/complete",                      403,  403,  404,  422,  403,  404,  404,  404,  404,  404,  401,
        body={"data": {"overall_goal": "", "indicators": []}}),
    Api("POST",   "/api/v1/tasks/{T}/send-back",                     403,  403,  404,  422,  403,  404,  404,  404,  404,  404,  401,
        body={"to": "no_such_task", "reason": "退回试试"}),
    Api("POST",   "/api/v1/tasks/{T}/reassign",                      422,  422, B404,  403,  403, B404, B404, B404, B404, B404,  401,
        body={"username": "nobody"}),
    Api("POST",   "/api/v1/tasks/{T}/urge",                          403,  422, B404,  403,  403, B404, B404, B404, B404, B404,  401,
        body={"message": 12345}),
    Api("POST",   "/api/v1/tasks/bulk",                              422,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"action": "reassign", "ids": ["{T}"], "username": "nobody"}),
    Api("POST",   "/api/v1/attachments",                             201,  201,  201,  201,  201,  201,  201,  201,  201,  201,  401,
        body=FILE),
    Api("GET",    "/api/v1/attachments/{A}",                         404,  404,  404,  200,  404,  404,  404,  404,  404,  404,  401),
    # the rectification's own task and instance: a supervisor follows every step but may do only the audit
    Api("GET",    "/api/v1/tasks/{RT}",                              200,  200,  404,  200,  200,  404,  404,  404,  200,  404,  401),
    Api("POST",   "/api/v1/tasks/{RT}/complete",                     403,  403,  404,  422,  403,  404,  404,  404,  403,  404,  401,
        body={"data": {"plan": "", "measures": []}}),
    Api("GET",    "/api/v1/instances/{RI}",                          200,  200, B200,  200,  200,  404,  404,  404, B200,  404,  401),
    Api("GET",    "/api/v1/attachments/{E}",                         200,  200, B200,  200,  200,  404,  404,  404, B200,  404,  401,
        given="evidence E reported on R"),
    # 预算执行: the payment import is the bureau's (a PDF is not a payment file: 422); a project's execution
    # is read like the project
    Api("POST",   "/api/v1/payment-imports",                         422,  422,  422,  403,  403,  403,  403,  403,  403,  403,  401,
        body=FILE),
    Api("GET",    "/api/v1/projects/{P}/execution",                  200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401),
    # the monitoring board of a round M with a report on P: the bureau, the business sections and supervisors see
    # it all, a department its own rows (another department: an empty board), experts and third parties nothing
    Api("GET",    "/api/v1/monitoring-rounds/{M}/board",             200,  200,  200,  200,  200,  200,  200,  404,  200,  404,  401,
        given="monitoring round M over P"),
    Api("GET",    "/api/v1/monitoring-rounds/{M}/summary.xlsx",      200,  200,  200,  200,  200,  200,  200,  404,  200,  404,  401,
        given="monitoring round M over P"),
    # 事前绩效评估: X is an assessment of P started by rsj_filer (who holds its registration step)
    Api("POST",   "/api/v1/projects/{P}/ex-ante",                    403,  403,  403,  201,  403,  404,  404,  404,  403,  404,  401,
        last=("rsj_filer",)),
    Api("GET",    "/api/v1/ex-ante",                                 200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/ex-ante/{X}",                             200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="ex-ante X started on P"),
    Api("POST",   "/api/v1/ex-ante/{X}/materials",                   403,  403,  403,  422,  403,  404,  404,  404,  403,  404,  401,
        body=FILE, given="ex-ante X started on P"),
    Api("GET",    "/api/v1/ex-ante/{X}/report.xlsx",                 200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="ex-ante X started on P"),
    # 部门整体绩效: D is 县人社局's case of last year, started by jxk (its draft waits in rsj's queue)
    Api("POST",   "/api/v1/department-performance",                  422,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"year": "去年"}),
    Api("GET",    "/api/v1/department-performance",                  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/department-performance/{D}",              200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="department performance D started"),
    Api("GET",    "/api/v1/department-performance/{D}/report.pdf",   409,  409,  409,  409,  409,  404,  404,  404,  409,  404,  401,
        given="department performance D started"),
    # its goal table (no version yet: prints empty); the import into the draft step is the department filer's (a PDF
    # is not a goal table: 422), whoever else sees the case may not draft it (403)
    Api("GET",    "/api/v1/department-performance/{D}/goal-table.pdf",   200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="department performance D started"),
    Api("GET",    "/api/v1/department-performance/{D}/goal-table.xlsx",  200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="department performance D started"),
    Api("POST",   "/api/v1/department-performance/{D}/goal-import",      403,  403,  403,  422,  403,  404,  404,  404,  403,  404,  401,
        body=FILE, given="department performance D started"),
    # 财政重点评价: K is a key evaluation of P commissioned by jxk to the agency thirdparty (its scoring step is ready;
    # the department reads the agency's work, and so the report, once the performance section has accepted it)
    Api("GET",    "/api/v1/key-evaluations/candidates",              403,  200,  403,  403,  403,  403,  403,  403,  403,  403,  401),
    Api("PUT",    "/api/v1/projects/{P}/key-evaluation-marks",       403,  422,  403,  403,  403,  404,  404,  404,  403,  404,  401,
        body={"public_concern": "maybe"}),
    Api("GET",    "/api/v1/key-evaluations/default-indicators",      200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("POST",   "/api/v1/key-evaluations",                         403,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"project_ids": [], "agency": "nobody"}),
    Api("GET",    "/api/v1/key-evaluations",                         200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/key-evaluations/{K}",                     200,  200,  200,  200,  200,  404,  404,  404,  200,  200,  401,
        given="key evaluation K commissioned on P"),
    Api("PUT",    "/api/v1/key-evaluations/{K}/indicators",          403,  422,  403,  403,  403,  404,  404,  404,  403,  403,  401,
        body={"indicators": []}, given="key evaluation K commissioned on P"),
    Api("POST",   "/api/v1/key-evaluations/{K}/rectification",       403,  409,  403,  403,  403,  404,  404,  404,  403,  403,  401,
        body={"deadline": "someday"}, given="key evaluation K commissioned on P"),
    Api("GET",    "/api/v1/key-evaluations/{K}/report.pdf",          200,  200,  200,  409,  409,  404,  404,  404,  200,  200,  401,
        given="key evaluation K commissioned on P"),
    # 结果应用 (RA: a 中 self-evaluation result of P; the ranking is the bureau's)
    Api("GET",    "/api/v1/result-applications?budget_year={ny}",    200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401,
        given="result RA recorded on P"),
    Api("GET",    "/api/v1/result-applications.xlsx?budget_year={ny}", 200, 200,  200,  200,  200,  200,  200,  200,  200,  200,  401,
        given="result RA recorded on P"),
    Api("POST",   "/api/v1/result-applications/{RA}/reduce-amount",  422,  422,  403,  403,  403,  404,  404,  404,  403,  404,  401,
        body={"reduce_amount": -1}, given="result RA recorded on P"),
    Api("GET",    "/api/v1/evaluation-ranking?year={year}",          200,  200,  200,  403,  403,  403,  403,  403,  200,  403,  401,
        given="result RA recorded on P"),
    Api("GET",    "/api/v1/evaluation-ranking.xlsx?year={year}",     200,  200,  200,  403,  403,  403,  403,  403,  200,  403,  401),
    # 单位自评 and 财政复核 (SR: a round of year; SE: P's submitted 自评表, drawn for re-check)
    Api("POST",   "/api/v1/self-evaluation-rounds",                  422,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"fiscal_year": "this year"}),
    Api("GET",    "/api/v1/self-evaluation-rounds",                  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/self-evaluation-rounds/{SR}",             200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401,
        given="self-evaluation SE of P submitted"),
    Api("POST",   "/api/v1/self-evaluation-rounds/{SR}/sample",      422,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"seed": ""}, given="self-evaluation SE of P submitted"),
    Api("GET",    "/api/v1/self-evaluations",                        200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401),
    Api("GET",    "/api/v1/self-evaluations/{SE}",                   200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="self-evaluation SE of P submitted"),
    Api("GET",    "/api/v1/self-evaluations/{SE}/form.pdf",          200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401,
        given="self-evaluation SE of P submitted"),
    Api("POST",   "/api/v1/self-evaluations/{SE}/choose",            200,  200,  403,  403,  403,  404,  404,  404,  403,  404,  401,
        given="self-evaluation SE of P submitted"),
    Api("POST",   "/api/v1/self-evaluations/{SE}/recheck",           422,  422,  403,  403,  403,  404,  404,  404,  403,  404,  401,
        body={"executed": 1, "rows": "none"}, given="self-evaluation SE of P submitted"),
    # 财政复核 as a task (process self_evaluation_recheck): in the performance section's queue only.
    Api("GET",    "/api/v1/tasks/{RC}",                              200,  200,  404,  200,  200,  404,  404,  404,  404,  404,  401,
        given="re-check task RC of SE"),
    Api("POST",   "/api/v1/tasks/{RC}/claim",                        403,  200,  404,  403,  403,  404,  404,  404,  404,  404,  401,
        given="re-check task RC of SE", last=("jxk",)),
    Api("POST",   "/api/v1/tasks/{RC}/complete",                     403,  422,  404,  403,  403,  404,  404,  404,  404,  404,  401,
        body={"data": {"executed": "lots", "rows": []}}, given="re-check task RC of SE"),
    Api("GET",    "/api/v1/self-evaluation-quality?year={year}",     200,  200,  200,  403,  403,  403,  403,  403,  200,  403,  401),

    # 信息公开 and the 人大 package: G is the approved goal table of 2027-SLJ-001 (县水务局), K a built 2027 package
    Api("GET",    "/api/v1/publications",                            200,  200,  200,  200,  200,  200,  200,  403,  200,  403,  401),
    Api("GET",    "/api/v1/publications/goal_table/{G}",             200,  200,  200,  404,  404,  200,  200,  404,  200,  404,  401,
        given="goal table G approved"),
    Api("PUT",    "/api/v1/publications/goal_table/{G}",             422,  422,  403,  404,  404,  422,  422,  404,  403,  404,  401,
        body={"published": False, "reason": " "}, given="goal table G approved"),
    Api("GET",    "/api/v1/public/documents",                        200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    Api("GET",    "/api/v1/public/documents/goal_table/{G}.pdf",     200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,
        given="goal table G published"),
    Api("POST",   "/api/v1/npc-packages",                            422,  422,  403,  403,  403,  403,  403,  403,  403,  403,  401,
        body={"fiscal_year": "next"}),
    Api("GET",    "/api/v1/npc-packages",                            200,  200,  403,  403,  403,  403,  403,  403,  200,  403,  401),
    Api("GET",    "/api/v1/npc-packages/{NP}",                        200,  200,  403,  403,  403,  403,  403,  403,  200,  403,  401,
        given="package NP built"),
    Api("GET",    "/api/v1/npc-packages/{NP}/file",                   200,  200,  403,  403,  403,  403,  403,  403,  200,  403,  401,
        given="package NP built"),
    # the goal table in and out (P has no approved goals yet: its table prints empty)
    Api("GET",    "/api/v1/projects/{P}/goal-table.pdf",             200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401),
    Api("GET",    "/api/v1/projects/{P}/goal-table.xlsx",            200,  200,  200,  200,  200,  404,  404,  404,  200,  404,  401),
    Api("POST",   "/api/v1/tasks/{T}/goal-import",                   403,  403,  404,  422,  403,  404,  404,  404,  404,  404,  401,
        body=FILE),

    # --- the pages ----------------------------------------------------------------------------------------------------
    #                                                                adm   jxk   sbk  rsjF  rsjH  sljF  sljH  exp1   sup   3rd  anon
    Page("GET",   "/",                                               302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302),
    Page("GET",   "/healthz",                                        200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    Page("GET",   "/login",                                          200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    Page("POST",  "/login",                                          302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,
        body={"username": "rsj_filer", "password": DEMO_PASSWORD}),
    Page("GET",   "/logout",                                         200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("POST",  "/logout",                                         302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L),
    Page("GET",   "/lang/en",                                        302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302),
    Page("GET",   "/public/goals",                                   200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    Page("GET",   "/tasks",                                          200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("POST",  "/tasks/bulk-claim",                               302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"task_id": "{T}"}, last=("rsj_filer",)),
    Page("POST",  "/tasks/bulk-reassign",                            302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"task_id": "{T}", "username": "nobody"}),
    Page("GET",   "/tasks/{T}",                                      200,  200,  404,  200,  200,  404,  404,  404,  404,  404,    L),
    Page("POST",  "/tasks/{T}",                                      302,  302,  404,  422,  302,  404,  404,  404,  404,  404,    L,
        body={"overall_goal": ""}),
    Page("POST",  "/tasks/{T}/claim",                                302,  302,  404,  302,  302,  404,  404,  404,  404,  404,    L,
        last=("rsj_filer",)),
    Page("POST",  "/tasks/{T}/unclaim",                              302,  302,  404,  302,  302,  404,  404,  404,  404,  404,    L,
        given="T claimed by rsj_filer", last=("admin", "jxk", "rsj_filer")),
    Page("POST",  "/tasks/{T}/send-back",                            302,  302,  404,  302,  302,  404,  404,  404,  404,  404,    L,
        body={"to": "no_such_task", "reason": "退回试试"}),
    Page("POST",  "/tasks/{T}/reassign",                             302,  302, B404,  302,  302, B404, B404, B404, B404, B404,    L,
        body={"username": "nobody"}),
    Page("POST",  "/tasks/{T}/urge",                                 302,  302, B404,  302,  302, B404, B404, B404, B404, B404,    L,
        body={"message": "请尽快办理"}),
    Page("GET",   "/instances/{I}",                                  200,  200,  404,  200,  200,  404,  404,  404,  404,  404,    L),
    Page("POST",  "/instances/{I}/comments",                         422,  422,  404,  422,  422,  404,  404,  404,  404,  404,    L,
        body={"text": ""}),
    Page("POST",  "/instances/{I}/withdraw",                         302,  302,  404,  302,  302,  404,  404,  404,  404,  404,    L,
        body={"reason": "nothing of mine to withdraw"}),
    Page("GET",   "/instances/{I}/diagram.xml",                      200,  200,  404,  200,  200,  404,  404,  404,  404,  404,    L),
    Page("GET",   "/me/stand-in",                                    200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("POST",  "/me/stand-in",                                    422,  422,  422,  422,  422,  422,  422,  422,  422,  422,    L,
        body={"username": "nobody", "from": "soon", "until": "later"}),
    Page("GET",   "/notifications",                                  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("POST",  "/notifications/{N}/read",                         404,  404,  404,  302,  404,  404,  404,  404,  404,  404,    L),
    Page("POST",  "/notifications/read-all",                         302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L),
    Page("GET",   "/projects",                                       200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("GET",   "/projects/{P}",                                   200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L),
    Page("POST",  "/projects/{P}/goal-review",                       302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L),
    Page("GET",   "/rectifications",                                 200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("GET",   "/rectifications/{R}",                             200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L),
    Page("GET",   "/rectifications/ledger.xlsx?year={year}",         200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("GET",   "/rectifications/ledger.xlsx",                     200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    # the page of POST /api/v1/projects/{P}/rectifications: the same answers (only 绩效科 opens one)
    Page("GET",   "/rectifications/new?project_id={P}",              403,  200,  403,  403,  403,  404,  404,  404,  403,  404,    L),
    Page("POST",  "/rectifications/new",                             403,  422,  403,  403,  403,  404,  404,  404,  403,  404,    L,
        body={"project_id": "{P}", "findings-0": "", "deadline": "someday", "source": "rumour"}),
    Page("POST",  "/attachments",                                    302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body=FILE),
    Page("GET",   "/attachments/{A}",                                404,  404,  404,  200,  404,  404,  404,  404,  404,  404,    L),
    Page("GET",   "/dashboard",                                      200,  200,  404,  404,  404,  404,  404,  404,  404,  404,    L),
    Page("GET",   "/tasks/{RT}",                                     200,  200,  404,  200,  200,  404,  404,  404, B200,  404,    L),
    Page("GET",   "/attachments/{E}",                                200,  200, B200,  200,  200,  404,  404,  404, B200,  404,    L,
        given="evidence E reported on R"),
    Page("GET",   "/instances/{RI}",                                 200,  200, B200,  200,  200,  404,  404,  404, B200,  404,    L),
    # 预算执行: the import page is the bureau's; a refused file is shown again with its errors (422)
    Page("GET",   "/payments",                                       200,  200,  200,  404,  404,  404,  404,  404,  404,  404,    L),
    Page("POST",  "/payments",                                       422,  422,  422,  404,  404,  404,  404,  404,  404,  404,    L,
        body=FILE),
    Page("GET",   "/monitoring/rounds/{M}/board",                    200,  200,  200,  200,  200,  200,  200,  404,  200,  404,    L,
        given="monitoring round M over P"),
    Page("GET",   "/monitoring/rounds/{M}/summary.xlsx",             200,  200,  200,  200,  200,  200,  200,  404,  200,  404,    L,
        given="monitoring round M over P"),
    # 事前绩效评估 (a refused start or upload goes back with a message: 302)
    Page("POST",  "/projects/{P}/ex-ante",                           302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        last=("rsj_filer",)),
    Page("GET",   "/ex-ante",                                        200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("GET",   "/ex-ante/{X}",                                    200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="ex-ante X started on P"),
    Page("GET",   "/ex-ante/{X}/report.xlsx",                        200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="ex-ante X started on P"),
    Page("POST",  "/ex-ante/{X}/materials",                          302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        body=FILE, given="ex-ante X started on P"),
    Page("GET",   "/department-performance",                         200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("POST",  "/department-performance/start",                   302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"year": "去年"}),
    Page("GET",   "/department-performance/{D}",                     200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="department performance D started"),
    Page("GET",   "/department-performance/{D}/report.pdf",          302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        given="department performance D started"),
    Page("GET",   "/department-performance/{D}/goal-table.pdf",      200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="department performance D started"),
    Page("GET",   "/department-performance/{D}/goal-table.xlsx",     200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="department performance D started"),
    Page("POST",  "/department-performance/{D}/goal-import",         302,  302,  302,  422,  302,  404,  404,  404,  302,  404,    L,
        body=FILE, given="department performance D started"),
    Page("GET",   "/key-evaluations",                                200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("GET",   "/key-evaluations/select",                         302,  200,  302,  302,  302,  302,  302,  302,  302,  302,    L),
    Page("POST",  "/key-evaluations",                                302,  422,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"agency": "nobody"}),
    Page("POST",  "/projects/{P}/key-evaluation-marks",              302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        body={"public_concern": "1"}, last=("jxk",)),
    Page("GET",   "/key-evaluations/{K}",                            200,  200,  200,  200,  200,  404,  404,  404,  200,  200,    L,
        given="key evaluation K commissioned on P"),
    Page("POST",  "/key-evaluations/{K}/indicators",                 302,  422,  302,  302,  302,  404,  404,  404,  302,  302,    L,
        given="key evaluation K commissioned on P"),
    Page("POST",  "/key-evaluations/{K}/rectification",              302,  302,  302,  302,  302,  404,  404,  404,  302,  302,    L,
        body={"deadline": "someday"}, given="key evaluation K commissioned on P"),
    Page("GET",   "/key-evaluations/{K}/report.pdf",                 200,  200,  200,  302,  302,  404,  404,  404,  200,  200,    L,
        given="key evaluation K commissioned on P"),
    # 单位自评 and 财政复核 (refused actions go back with a message: 302)
    Page("GET",   "/self-evaluations",                               200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L,
        given="self-evaluation SE of P submitted"),
    Page("POST",  "/self-evaluation-rounds",                         302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"fiscal_year": "this year"}),
    Page("POST",  "/self-evaluation-rounds/{SR}/sample",             302,  302,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"seed": ""}, given="self-evaluation SE of P submitted"),
    Page("GET",   "/self-evaluations/{SE}",                          200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="self-evaluation SE of P submitted"),
    Page("GET",   "/self-evaluations/{SE}/form.pdf",                 200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="self-evaluation SE of P submitted"),
    Page("POST",  "/self-evaluations/{SE}/choose",                   302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        given="self-evaluation SE of P submitted"),
    # The re-check completes SE's re-check task (the performance section's): the admin may draw, not re-check.
    Page("POST",  "/self-evaluations/{SE}/recheck",                  302,  422,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        body={"executed": "lots"}, given="self-evaluation SE of P submitted"),
    Page("GET",   "/tasks/{RC}",                                     200,  200,  404,  200,  200,  404,  404,  404,  404,  404,    L,
        given="re-check task RC of SE"),
    Page("POST",  "/tasks/{RC}",                                     302,  422,  404,  302,  302,  404,  404,  404,  404,  404,    L,
        body={"executed": "lots"}, given="re-check task RC of SE"),
    Page("GET",   "/self-evaluation-quality",                        200,  200,  200,  403,  403,  403,  403,  403,  200,  403,    L),
    # 结果应用
    Page("GET",   "/result-applications",                            200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L,
        given="result RA recorded on P"),
    Page("GET",   "/result-applications.xlsx?budget_year={ny}",      200,  200,  200,  200,  200,  200,  200,  200,  200,  200,    L),
    Page("POST",  "/result-applications/{RA}/reduce-amount",         302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        body={"reduce_amount": "-1"}, given="result RA recorded on P"),
    Page("GET",   "/evaluation-ranking",                             200,  200,  200,  403,  403,  403,  403,  403,  200,  403,    L),
    Page("GET",   "/evaluation-ranking.xlsx",                        200,  200,  200,  403,  403,  403,  403,  403,  200,  403,    L),
    # 信息公开 and the 人大 package (a refused decision or build goes back with a message: 302)
    Page("GET",   "/public",                                         200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    Page("GET",   "/public/goal_table/{G}.pdf",                      200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,
        given="goal table G published"),
    Page("GET",   "/disclosure",                                     200,  200,  200,  200,  200,  200,  200,  403,  200,  403,    L),
    Page("POST",  "/disclosure/goal_table/{G}",                      422,  422,  302,  404,  404,  422,  422,  404,  302,  404,    L,
        body={"published": "0", "reason": ""}, given="goal table G approved"),
    Page("GET",   "/npc-packages",                                   200,  200,  403,  403,  403,  403,  403,  403,  200,  403,    L),
    Page("POST",  "/npc-packages",                                   422,  422,  302,  302,  302,  302,  302,  302,  302,  302,    L,
        body={"fiscal_year": "next"}),
    Page("GET",   "/npc-packages/{NP}.json",                          200,  200,  403,  403,  403,  403,  403,  403,  200,  403,    L,
        given="package NP built"),
    Page("GET",   "/npc-packages/{NP}/file",                          200,  200,  403,  403,  403,  403,  403,  403,  200,  403,    L,
        given="package NP built"),
    Page("GET",   "/projects/{P}/goal-table.pdf",                    200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L),
    Page("GET",   "/projects/{P}/goal-table.xlsx",                   200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L),
    Page("POST",  "/tasks/{T}/goal-import",                          302,  302,  404,  422,  302,  404,  404,  404,  404,  404,    L,
        body=FILE),
    # 绩效运行监控 (M: a round, MR: P's report in it; jxk's start without approved goals is a 422)
    Page("GET",   "/monitoring",                                     200,  200,  200,  200,  200,  200,  200,  404,  200,  404,    L),
    Page("POST",  "/monitoring/rounds",                              302,  422,  302,  302,  302,  302,  302,  404,  302,  404,    L,
        body={"year": "{year}", "month": "7"}),
    Page("GET",   "/monitoring/rounds/{M}",                          200,  200,  200,  200,  200,  200,  200,  404,  200,  404,    L,
        given="monitoring round M over P"),
    Page("GET",   "/monitoring/reports/{MR}",                        200,  200,  200,  200,  200,  404,  404,  404,  200,  404,    L,
        given="monitoring round M over P"),
    Page("POST",  "/monitoring/reports/{MR}/rectification",          302,  302,  302,  302,  302,  404,  404,  404,  302,  404,    L,
        body={"findings": "执行滞后"}, given="monitoring round M over P"),
]

# Routes that are not the product's own: the static files.
NOT_IN_THE_TABLE = {"/static/<path:filename>"}


# ---------------------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------------------
@dataclass
class Scenario:
    ids: dict[str, int]                  # the placeholders of the table
    api: Any                             # the `api` fixture, for `GIVEN` steps
    app: Any = None                      # the app, for `GIVEN` steps that read the database


def _cheap_passwords(app) -> None:
    """The demo hash is slow on purpose (0.2 s a login); the matrix logs in ~800 times, so use a 1-round hash
    of the same password. Logins still go through the real token endpoint and login form."""
    with app.app_context():
        db.session.execute(update(User).values(
            password_hash=generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1")))
        db.session.commit()
        db.session.remove()


def _upload(client: ApiClient) -> int:
    response = client.client.post("/api/v1/attachments", headers=client._headers(),
                                  data={"file": (io.BytesIO(PDF), "佐证材料.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def build_scenario(app, api) -> Scenario:
    _cheap_passwords(app)
    filer, jxk = api("rsj_filer"), api("jxk")
    pid = project_id(app, RSJ)
    started = filer.post(f"/api/v1/projects/{pid}/goal-review")
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["instance_id"]
    # The starter finds the draft in 我的待办 (issue 13, item 7); given back, T is the unclaimed task of the table.
    task = filer.task_named("draft_goals", scope="mine", instance_id=instance_id)
    assert task["assignee"] == "rsj_filer", task  # the holder
    assert filer.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    task = filer.task_named("draft_goals", scope="group", instance_id=instance_id)
    assert (task["lane"], task["department"], task["assignee"]) == ("department_filer", "rsj", None), task

    rect = jxk.post(f"/api/v1/projects/{pid}/rectifications", json={
        "findings": ["绩效目标未细化量化"], "deadline": (date.today() + timedelta(days=10)).isoformat(),
        "source": "evaluation"})
    assert rect.status_code == 201, rect.get_json()
    rect_task = filer.task_named("submit_plan", scope="group", instance_id=rect.get_json()["instance_id"])

    notes = filer.get("/api/v1/notifications").get_json()["items"]
    assert notes, "rsj_filer has no notification"
    project = jxk.get(f"/api/v1/projects/{pid}").get_json()
    return Scenario(api=api, app=app, ids={
        "P": pid, "I": instance_id, "T": task["id"], "R": rect.get_json()["id"],
        "RI": rect.get_json()["instance_id"], "RT": rect_task["id"], "A": _upload(filer), "N": notes[0]["id"],
        "year": project["fiscal_year"], "ny": project["fiscal_year"] + 1})


def _claim_t(scenario: Scenario) -> None:
    response = scenario.api("rsj_filer").post(f"/api/v1/tasks/{scenario.ids['T']}/claim")
    assert response.status_code == 200, response.get_json()


def _evidence_reported(scenario: Scenario) -> None:
    """R's plan accepted, then a progress report (not done yet) with evidence E: E now belongs to R's instance."""
    filer, jxk = scenario.api("rsj_filer"), scenario.api("jxk")
    steps = [(filer, "submit_plan", {"plan": "逐项整改", "measures": ["细化指标"]}),
             (jxk, "review_plan", {"accepted": True, "opinion": "同意"})]
    for client, name, data in steps:
        task = client.task_named(name, instance_id=scenario.ids["RI"])
        assert client.complete(task["id"], data).status_code == 200, name
    scenario.ids["E"] = _upload(filer)
    task = filer.task_named("report_progress", instance_id=scenario.ids["RI"])
    response = filer.complete(task["id"], {"progress": "完成一半", "evidence": [scenario.ids["E"]], "done": False})
    assert response.status_code == 200, response.get_json()


def _ex_ante_started(scenario: Scenario) -> None:
    response = scenario.api("rsj_filer").post(f"/api/v1/projects/{scenario.ids['P']}/ex-ante")
    assert response.status_code == 201, response.get_json()
    scenario.ids["X"] = response.get_json()["id"]


def _department_performance_started(scenario: Scenario) -> None:
    from workflow_app.engine import now
    response = scenario.api("jxk").post("/api/v1/department-performance",
                                        json={"year": now().year - 1, "departments": ["rsj"]})
    assert response.status_code == 201, response.get_json()
    scenario.ids["D"] = response.get_json()["items"][0]["id"]


def _key_evaluation_commissioned(scenario: Scenario) -> None:
    response = scenario.api("jxk").post("/api/v1/key-evaluations",
                                        json={"project_ids": [scenario.ids["P"]], "agency": "thirdparty"})
    assert response.status_code == 201, response.get_json()
    scenario.ids["K"] = response.get_json()["items"][0]["id"]


def _result_recorded(scenario: Scenario) -> None:
    """A 中 self-evaluation result of P for the next year's budget (no cut set yet)."""
    from workflow_app.models import Project
    from workflow_app.services import result_application
    with scenario.api().client.application.app_context():
        project = db.session.get(Project, scenario.ids["P"])
        row = result_application.record(project, project.fiscal_year + 1, "self_evaluation", 70, "中", None)
        db.session.commit()
        scenario.ids["RA"] = row.id
        db.session.remove()


def _self_evaluation_submitted(scenario: Scenario) -> None:
    """P's 自评表 of a round, submitted to finance and drawn for re-check (rows written directly: the scenario's P
    has no approved goals, and only the routes' answers are walked here)."""
    from workflow_app.models import Project
    from workflow_app.models.self_evaluation import EvaluationRound, SelfEvaluation
    with scenario.api().client.application.app_context():
        project = db.session.get(Project, scenario.ids["P"])
        round_ = EvaluationRound(fiscal_year=project.fiscal_year, min_amount=0, projects=1, created_by="jxk")
        db.session.add(round_)
        db.session.flush()
        row = {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "category": "产出", "unit": "人次",
               "operator": ">=", "target": "3000", "target_value": "3000", "weight": "100", "kind": "quantitative",
               "actual": "3000", "level": "", "share": "", "cause": ""}
        evaluation = SelfEvaluation(round_id=round_.id, project_id=project.id, department_id=project.department_id,
                                    fiscal_year=project.fiscal_year, status="submitted", initial_budget=project.amount,
                                    annual_budget=project.amount, executed=project.amount, overall_goal="目标",
                                    rows=[row], score=100, grade="优", recheck_reason="sampled")
        db.session.add(evaluation)
        db.session.commit()
        scenario.ids.update(SR=round_.id, SE=evaluation.id)
        db.session.remove()


def _recheck_task(scenario: Scenario) -> None:
    """SE chosen for re-check by jxk: its re-check task RC waits in the performance section's queue."""
    from workflow_app.models import HumanTask
    _self_evaluation_submitted(scenario)
    response = scenario.api("jxk").post(f"/api/v1/self-evaluations/{scenario.ids['SE']}/choose")
    assert response.status_code == 200, response.get_json()
    with scenario.api().client.application.app_context():
        scenario.ids["RC"] = db.session.scalars(select(HumanTask.id).where(
            HumanTask.process_key == "self_evaluation_recheck")).one()
        db.session.remove()


def _goal_table_approved(scenario: Scenario) -> None:
    from .disclosure_flow import approve
    scenario.ids["G"] = approve(scenario.app, scenario.api, SLJ, "slj")


def _goal_table_published(scenario: Scenario) -> None:
    _goal_table_approved(scenario)
    response = scenario.api("jxk").put(f"/api/v1/publications/goal_table/{scenario.ids['G']}", json={"published": True})
    assert response.status_code == 200, response.get_json()


def _package_built(scenario: Scenario) -> None:
    response = scenario.api("jxk").post("/api/v1/npc-packages", json={"fiscal_year": 2027})
    assert response.status_code == 202 and response.get_json()["status"] == "done", response.get_json()
    scenario.ids["NP"] = response.get_json()["id"]


def _monitoring_round(scenario: Scenario) -> None:
    """A monitoring round M (2027, 1-7月) with a report on P, written straight to the tables: its board and
    export read only these (a goal review to approval first would take the matrix a minute per row)."""
    from workflow_app.models import GoalVersion, MonitoringReport, MonitoringRound
    app = scenario.api(None).client.application
    with app.app_context():
        version = GoalVersion(project_id=scenario.ids["P"], number=1, round="二上", overall_goal="全年目标",
                              amount=320, created_by="rsj_filer")
        round_ = MonitoringRound(year=2027, month=7, status="running", started_by="jxk")
        db.session.add_all([version, round_])
        db.session.flush()
        report = MonitoringReport(round_id=round_.id, project_id=scenario.ids["P"], goal_version_id=version.id,
                                  department_id=db.session.get(Project, scenario.ids["P"]).department_id,
                                  budget=320, executed=100, execution_rate=31.25, colour="red", status="filling")
        db.session.add(report)
        db.session.commit()
        scenario.ids["M"], scenario.ids["MR"] = round_.id, report.id
        db.session.remove()


GIVEN = {"T claimed by rsj_filer": _claim_t,
         "evidence E reported on R": _evidence_reported,
         "ex-ante X started on P": _ex_ante_started,
         "department performance D started": _department_performance_started,
         "self-evaluation SE of P submitted": _self_evaluation_submitted,
         "re-check task RC of SE": _recheck_task,
         "result RA recorded on P": _result_recorded,
         "key evaluation K commissioned on P": _key_evaluation_commissioned,
         "goal table G approved": _goal_table_approved,
         "goal table G published": _goal_table_published,
         "package NP built": _package_built,
         "monitoring round M over P": _monitoring_round}


# ---------------------------------------------------------------------------------------------------------
# Performing one request
# ---------------------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


def fill(value: Any, ids: dict[str, int]) -> Any:
    """Put the scenario's ids into a URL or body ("{T}" alone becomes the number, in text it is formatted)."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.match(value)
        return ids[whole.group(1)] if whole and whole.group(1) in ids else value.format(**ids)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def perform(kind: str, client, method: str, url: str, body: Any = None):
    """One request as one user: `client` is an ApiClient (api) or a logged-in test client (page)."""
    if kind == "api":
        headers = client._headers()
        if body is FILE:
            return client.client.open(url, method=method, headers=headers, content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(PDF), "佐证材料.pdf")})
        return client.client.open(url, method=method, headers=headers, json=body)
    if method == "GET":
        return client.get(url)
    # The session's CSRF token, from a page of this client (the login page has one whether logged in or not).
    form = {"csrf_token": csrf_from(client.get("/login").get_data(as_text=True))}
    if body is FILE:
        form.update(file=(io.BytesIO(PDF), "佐证材料.pdf"), back="/tasks")
        return client.open(url, method=method, data=form, content_type="multipart/form-data")
    form.update({k: str(v) for k, v in (body or {}).items()})
    return client.open(url, method=method, data=form)


def _matches(expected: Any, response) -> bool:
    if isinstance(expected, BUG):
        expected = expected.status
    if expected is LOGIN:
        return response.status_code == 302 and urlsplit(response.headers.get("Location", "")).path == "/login"
    return response.status_code == expected


def _describe(response) -> str:
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} → {response.headers.get('Location')}"
    if response.is_json:
        return f"{response.status_code} {json.dumps(response.get_json(), ensure_ascii=False)[:200]}"
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("</nav>")[-1])).strip()
        return f"{response.status_code} {text[:200]}"
    return f"{response.status_code} ({response.mimetype})"


class KnownBug(Exception):
    """Only cells marked BUG(...) differ: the row's strict xfail expects exactly this."""


def walk(row: Row, scenario: Scenario, api, browser, app) -> None:
    if row.given:
        GIVEN[row.given](scenario)
    url, body = fill(row.url, scenario.ids), fill(row.body, scenario.ids)
    expected = row.expected
    wrong, known = [], []
    for user in row.walk_order:
        if row.kind == "api":
            client = api(None) if user == ANONYMOUS else api(user)
        else:
            client = app.test_client() if user == ANONYMOUS else browser(user)
        response = perform(row.kind, client, row.method, url, body)
        if not _matches(expected[user], response) or response.status_code >= 500:
            line = f"  {user:<11} expected {expected[user]!r:<9} got {_describe(response)}"
            is_known = isinstance(expected[user], BUG) and response.status_code < 500
            (known if is_known else wrong).append(line)
    request = f"{row.method} {url}" + (f" body={body!r}" if body is not None else "")
    assert not wrong, f"{row.kind} {request}\n" + "\n".join(wrong)
    if known:
        raise KnownBug(f"{row.kind} {request}\n" + "\n".join(known))


def _param(row: Row):
    marks = []
    if any(isinstance(c, BUG) for c in row.cells):
        assert row.bug, f"{row.id}: a BUG cell needs the row's bug text"
        marks.append(pytest.mark.xfail(strict=True, raises=KnownBug, reason=row.bug))
    return pytest.param(row, marks=marks, id=row.id)


# ---------------------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_route_answers_each_user_as_the_table_says(app, api, browser, row: Row):
    walk(row, build_scenario(app, api), api, browser, app)


def _rule_of(app, row: Row):
    """The url_map rule a row exercises (placeholders filled with dummy ids)."""
    path = urlsplit(re.sub(r"\{\w+\}", "1", row.url)).path
    adapter = app.url_map.bind("localhost")
    try:
        rule, _args = adapter.match(path, method=row.method, return_rule=True)
    except (NotFound, MethodNotAllowed):
        return None
    return rule


def test_every_route_has_a_row(app):
    covered: set[tuple[str, str]] = set()
    stale = []
    for row in ROWS:
        rule = _rule_of(app, row)
        if rule is None:
            stale.append(row.id)
        else:
            covered.add((row.method, rule.rule))
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule not in NOT_IN_THE_TABLE
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered, key=lambda r: (r[1], r[0]))
    problems = []
    if missing:
        problems.append("these routes have no row in ROWS of tests/test_authorization_matrix.py (add one with the "
                        "answer of every user):\n" + "\n".join(f"  {m} {r}" for m, r in missing))
    if stale:
        problems.append("these rows match no route any more:\n" + "\n".join(f"  {s}" for s in stale))
    assert not problems, "\n".join(problems)


def test_the_table_is_well_formed():
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "two rows with the same method and URL"
    for row in ROWS:
        assert len(row.cells) == len(COLUMNS), f"{row.id}: {len(row.cells)} cells for {len(COLUMNS)} columns"
        assert set(row.last) <= set(USERS), row.id
        assert row.given is None or row.given in GIVEN, row.id
        assert all(isinstance(c, (int, BUG)) or c is LOGIN for c in row.cells), row.id
        anonymous = row.expected[ANONYMOUS]
        if row.kind == "api" and anonymous != 401:
            assert row.url in ("/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/public/documents",
                               "/api/v1/public/documents/goal_table/{G}.pdf"), f"{row.id}: anonymous API call allowed"
