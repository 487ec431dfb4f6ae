"""The OpenAPI 3 document of the API at /api/v1/openapi.json.

Written as data next to the views it describes; tests check that every API route appears here.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify

from . import api_bp


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Malformed JSON", 401: "Not authenticated", 403: "Not allowed", 404: "Not found",
            409: "State conflict", 422: "Validation failed", 429: "Too many failed logins", 503: "Database unavailable"}
    return {str(c): _json(_ref("Error"), text[c]) for c in codes}


def _list_of(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total"],
            "properties": {"items": {"type": "array", "items": _ref(name)}, "total": {"type": "integer"}}}


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PAGING = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
           {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}]
_NULLABLE_STR = {"type": ["string", "null"]}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
    "Me": {"type": "object", "required": ["username", "name", "roles", "department"], "properties": {
        "username": {"type": "string"}, "name": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}}, "department": _NULLABLE_STR}},
    "Process": {"type": "object", "required": ["key", "name", "version"], "properties": {
        "key": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}}},
    "Task": {"type": "object", "required": ["id", "name", "title", "process", "instance_id", "project_id",
                                            "department", "lane", "assignee", "created_at", "due_at"],
             "properties": {
                 "id": {"type": "integer"}, "name": {"type": "string"}, "title": {"type": "string"},
                 "process": {"type": "string"}, "instance_id": {"type": "integer"},
                 "project_id": {"type": ["integer", "null"]}, "department": _NULLABLE_STR,
                 "lane": _NULLABLE_STR, "assignee": _NULLABLE_STR, "state": {"type": "string"},
                 "created_at": {"type": "string", "format": "date-time"},
                 "due_at": {"type": ["string", "null"], "format": "date-time"},
                 "overdue": {"type": "boolean"},
                 "completed_at": {"type": ["string", "null"], "format": "date-time"},
                 "completed_by": _NULLABLE_STR}},
    "InstanceSummary": {"type": "object", "required": ["id", "process", "status"], "properties": {
        "id": {"type": "integer"}, "process": {"type": "string"},
        "status": {"type": "string", "enum": ["running", "completed", "cancelled", "error"]}}},
    "HistoryEntry": {"type": "object", "properties": {
        "task": _NULLABLE_STR, "title": _NULLABLE_STR, "by": _NULLABLE_STR, "on_behalf_of": _NULLABLE_STR,
        "at": {"type": "string", "format": "date-time"}, "action": {"type": "string"}, "opinion": _NULLABLE_STR}},
    "Instance": {"type": "object", "required": ["id", "process", "version", "status", "project_id",
                                                "ready_tasks", "history"], "properties": {
        "id": {"type": "integer"}, "process": {"type": "string"}, "version": {"type": "integer"},
        "status": {"type": "string", "enum": ["running", "completed", "cancelled", "error"]},
        "project_id": {"type": ["integer", "null"]},
        "ready_tasks": {"type": "array", "items": _ref("Task")},
        "history": {"type": "array", "items": _ref("HistoryEntry")},
        "data": {"type": "object", "description": "admin and performance_section only"}}},
    "Project": {"type": "object", "required": ["id", "code", "name", "department", "fiscal_year", "amount",
                                               "fund_source", "kind", "goal_status"], "properties": {
        "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
        "department": {"type": "string"}, "competent_department": _NULLABLE_STR,
        "fiscal_year": {"type": "integer"}, "amount": {"type": "number"},
        "fund_source": {"type": "string", "enum": ["general", "fund", "state_capital"]},
        "kind": {"type": "string", "enum": ["project", "policy"]},
        "goal_status": {"type": "string", "enum": ["none", "in_review", "approved", "rejected"]},
        "budget_decision": _NULLABLE_STR}},
    "NewProject": {"type": "object", "required": ["code", "name", "department", "fiscal_year", "amount"],
                   "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "department": {"type": "string"},
        "competent_department": {"type": "string"}, "fiscal_year": {"type": "integer"},
        "amount": {"type": "number", "exclusiveMinimum": 0},
        "fund_source": {"type": "string", "enum": ["general", "fund", "state_capital"]},
        "kind": {"type": "string", "enum": ["project", "policy"]}}},
}

_STD = (401, 404)
PATHS: dict[str, Any] = {
    "/auth/token": {
        "post": {"summary": "Exchange username and password for a bearer token", "security": [],
                 "requestBody": _body({"type": "object", "required": ["username", "password"], "properties": {
                     "username": {"type": "string"}, "password": {"type": "string"}}}),
                 "responses": {"200": _json({"type": "object", "required": ["token"], "properties": {
                     "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}),
                     **_errors(400, 401, 422, 429)}},
        "delete": {"summary": "Revoke the token of this request",
                   "responses": {"200": _json({"type": "object"}), **_errors(401)}}},
    "/me": {"get": {"summary": "Who am I", "responses": {"200": _json(_ref("Me")), **_errors(401)}}},
    "/processes": {"get": {"summary": "Deployed processes (latest versions)",
                           "responses": {"200": _json(_list_of("Process")), **_errors(401)}}},
    "/processes/{key}/instances": {"post": {
        "summary": "Start an instance (admin, performance_section)",
        "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": _body({"type": "object", "properties": {
            "data": {"type": "object"}, "project_id": {"type": ["integer", "null"]}}}),
        "responses": {"201": _json(_ref("InstanceSummary"), "Started"), **_errors(400, 401, 403, 404, 422)}}},
    "/instances/{id}": {"get": {"summary": "An instance with its ready tasks and history", "parameters": [_ID],
                                "responses": {"200": _json(_ref("Instance")), **_errors(*_STD)}}},
    "/tasks": {"get": {
        "summary": "Task queues: mine, group (claimable), done",
        "parameters": [{"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["mine", "group", "done"]}},
                       {"name": "process", "in": "query", "schema": {"type": "string"}},
                       {"name": "project_id", "in": "query", "schema": {"type": "integer"}},
                       {"name": "instance_id", "in": "query", "schema": {"type": "integer"}}, *_PAGING],
        "responses": {"200": _json(_list_of("Task")), **_errors(401, 422)}}},
    "/tasks/{id}": {"get": {"summary": "One task", "parameters": [_ID],
                            "responses": {"200": _json(_ref("Task")), **_errors(*_STD)}}},
    "/tasks/{id}/claim": {"post": {"summary": "Claim a group task", "parameters": [_ID],
                                   "responses": {"200": _json(_ref("Task")), **_errors(401, 403, 404, 409)}}},
    "/tasks/{id}/unclaim": {"post": {"summary": "Give a claimed task back to the group", "parameters": [_ID],
                                     "responses": {"200": _json(_ref("Task")), **_errors(401, 403, 404, 409)}}},
    "/tasks/{id}/complete": {"post": {
        "summary": "Complete a task with the data of its form", "parameters": [_ID],
        "requestBody": _body({"type": "object", "properties": {"data": {"type": "object"}}}),
        "responses": {"200": _json({"type": "object", "required": ["instance", "next_tasks"], "properties": {
            "instance": _ref("InstanceSummary"), "task": _ref("Task"),
            "next_tasks": {"type": "array", "items": _ref("Task")}}}), **_errors(400, 401, 403, 404, 409, 422)}}},
    "/projects": {
        "get": {"summary": "Projects this user may see",
                "parameters": [{"name": "fiscal_year", "in": "query", "schema": {"type": "integer"}},
                               {"name": "department", "in": "query", "schema": {"type": "string"}},
                               {"name": "q", "in": "query", "description": "part of the name or code",
                                "schema": {"type": "string", "maxLength": 100}}, *_PAGING],
                "responses": {"200": _json(_list_of("Project")), **_errors(401, 422)}},
        "post": {"summary": "Create a project (filers: own department only)", "requestBody": _body(_ref("NewProject")),
                 "responses": {"201": _json(_ref("Project"), "Created"), **_errors(400, 401, 403, 409, 422)}}},
    "/projects/{id}": {"get": {"summary": "A project", "parameters": [_ID],
                               "responses": {"200": _json(_ref("Project")), **_errors(*_STD)}}},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "预算绩效管理工作流 API", "version": "1.0.0",
                 "description": "The contract of API.md: goal review, joint review, rectification, task queues."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@api_bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())


PATHS["/projects/{id}/goal-review"] = {"post": {
    "summary": "Start the 二上二下 goal review of a project (a filer of its department)", "parameters": [_ID],
    "responses": {"201": _json({"type": "object", "required": ["instance_id"], "properties": {
        "instance_id": {"type": "integer"}}}, "Started"), **_errors(401, 403, 404, 409)}}}
SCHEMAS["Project"]["properties"].update({
    "goal": {"type": ["object", "null"], "description": "the approved goal version, else the latest"},
    "goal_versions": {"type": "array", "items": {"type": "object"}},
})

SCHEMAS["Rectification"] = {"type": "object", "required": [
    "id", "project_id", "instance_id", "department", "findings", "deadline", "status", "overdue",
    "budget_decision", "recovered_amount"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "instance_id": {"type": ["integer", "null"]},
    "department": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "findings": {"type": "array", "items": {"type": "string"}},
    "source": {"type": "string", "enum": ["evaluation", "monitoring", "audit"]},
    "deadline": {"type": "string", "format": "date"},
    "status": {"type": "string", "enum": ["planning", "in_progress", "auditing", "closed"]},
    "overdue": {"type": "boolean"}, "overdue_since": {"type": ["string", "null"], "format": "date-time"},
    "days_left": {"type": "integer"}, "audit_result": _NULLABLE_STR,
    "budget_decision": {"type": ["string", "null"], "enum": ["priority", "maintain", "reduce", "cancel", None]},
    "recovered_amount": {"type": ["number", "null"]}}}
SCHEMAS["Attachment"] = {"type": "object", "required": ["id", "filename", "size", "sha256"], "properties": {
    "id": {"type": "integer"}, "filename": {"type": "string"}, "size": {"type": "integer"},
    "sha256": {"type": "string"}, "content_type": {"type": "string"}}}
PATHS["/projects/{id}/rectifications"] = {"post": {
    "summary": "Open a rectification on a project (performance_section)", "parameters": [_ID],
    "requestBody": _body({"type": "object", "required": ["findings", "deadline", "source"], "properties": {
        "findings": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "deadline": {"type": "string", "format": "date"},
        "source": {"type": "string", "enum": ["evaluation", "monitoring", "audit"]}}}),
    "responses": {"201": _json(_ref("Rectification"), "Started"), **_errors(400, 401, 403, 404, 422)}}}
PATHS["/rectifications"] = {"get": {
    "summary": "The supervisor board: rectifications this user may see (audit queue first)",
    "parameters": [{"name": "overdue", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
                   {"name": "status", "in": "query", "schema": {"type": "string"}},
                   {"name": "department", "in": "query", "schema": {"type": "string"}},
                   {"name": "year", "in": "query", "schema": {"type": "integer"}}, *_PAGING],
    "responses": {"200": _json(_list_of("Rectification")), **_errors(401, 422)}}}
PATHS["/rectifications/{id}"] = {"get": {"summary": "One rectification", "parameters": [_ID],
                                         "responses": {"200": _json(_ref("Rectification")), **_errors(*_STD)}}}
PATHS["/rectifications/ledger.xlsx"] = {"get": {
    "summary": "The rectification ledger (整改台账) of a year as an Excel file",
    "parameters": [{"name": "year", "in": "query", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "xlsx", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}}}}, **_errors(401, 422)}}}
PATHS["/attachments"] = {"post": {
    "summary": "Upload a file (PDF, image, Office document, TXT/CSV), checked by content",
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"201": _json(_ref("Attachment"), "Stored"), **_errors(401, 422)}}}
PATHS["/attachments/{id}"] = {"get": {
    "summary": "Download a file (its uploader, or whoever may see the instance it belongs to)", "parameters": [_ID],
    "responses": {"200": {"description": "the file", "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}}, **_errors(*_STD)}}}

_MOVED = {"type": "object", "required": ["instance", "next_tasks"], "properties": {
    "instance": _ref("InstanceSummary"), "next_tasks": {"type": "array", "items": _ref("Task")}}}
_STAND_IN = {"type": "object", "properties": {"username": _NULLABLE_STR, "name": {"type": "string"},
                                              "from": {"type": "string", "format": "date"},
                                              "until": {"type": "string", "format": "date"}}}
SCHEMAS["Comment"] = {"type": "object", "required": ["id", "author", "text", "attachments", "created_at"],
                      "properties": {"id": {"type": "integer"}, "author": {"type": "string"},
                                     "author_name": {"type": "string"}, "text": {"type": "string"},
                                     "attachments": {"type": "array", "items": {"type": "integer"}},
                                     "created_at": {"type": "string", "format": "date-time"}}}
SCHEMAS["Notification"] = {"type": "object", "required": ["id", "kind", "message", "read"], "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "message": {"type": "string"},
    "instance_id": {"type": ["integer", "null"]}, "task_id": {"type": ["integer", "null"]},
    "created_at": {"type": "string", "format": "date-time"}, "read": {"type": "boolean"}}}
PATHS.update({
    "/tasks/{id}/send-back": {"post": {
        "summary": "退回: send the instance back to an earlier user task", "parameters": [_ID],
        "requestBody": _body({"type": "object", "required": ["to", "reason"], "properties": {
            "to": {"type": "string"}, "reason": {"type": "string"}}}),
        "responses": {"200": _json(_MOVED), **_errors(400, 401, 403, 404, 409, 422)}}},
    "/instances/{id}/withdraw": {"post": {
        "summary": "撤回: undo the caller's latest completion while what followed is untouched", "parameters": [_ID],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "reason": {"type": "string"}}}}}},
        "responses": {"200": _json(_MOVED), **_errors(400, 401, 404, 409, 422)}}},
    "/tasks/{id}/reassign": {"post": {
        "summary": "Reassign a task (performance_section, admin)", "parameters": [_ID],
        "requestBody": _body({"type": "object", "required": ["username"], "properties": {
            "username": {"type": "string"}}}),
        "responses": {"200": _json(_ref("Task")), **_errors(400, 401, 403, 404, 409, 422)}}},
    "/tasks/bulk": {"post": {
        "summary": "Claim or reassign several tasks; one answer per task",
        "requestBody": _body({"type": "object", "required": ["action", "ids"], "properties": {
            "action": {"type": "string", "enum": ["claim", "reassign"]},
            "ids": {"type": "array", "items": {"type": "integer"}}, "username": {"type": "string"}}}),
        "responses": {"200": _json({"type": "object", "properties": {"results": {"type": "object"}}}),
                      **_errors(400, 401, 403, 422)}}},
    "/tasks/{id}/urge": {"post": {
        "summary": "催办: remind the task's candidates (performance_section)", "parameters": [_ID],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "message": {"type": "string"}}}}}},
        "responses": {"200": _json({"type": "object", "properties": {"notified": {"type": "integer"}}}),
                      **_errors(400, 401, 403, 404, 409, 422)}}},
    "/me/stand-in": {
        "get": {"summary": "My current stand-in", "responses": {"200": _json(_STAND_IN), **_errors(401)}},
        "put": {"summary": "Name a stand-in (代理) for a date range",
                "requestBody": _body({"type": "object", "required": ["username", "from", "until"], "properties": {
                    "username": {"type": "string"}, "from": {"type": "string", "format": "date"},
                    "until": {"type": "string", "format": "date"}}}),
                "responses": {"200": _json(_STAND_IN), **_errors(400, 401, 422)}},
        "delete": {"summary": "End my stand-in", "responses": {"200": _json({"type": "object"}), **_errors(401, 404)}}},
    "/instances/{id}/comments": {
        "get": {"summary": "Comments of an instance", "parameters": [_ID],
                "responses": {"200": _json(_list_of("Comment")), **_errors(*_STD)}},
        "post": {"summary": "Comment, with own uploads attached", "parameters": [_ID],
                 "requestBody": _body({"type": "object", "required": ["text"], "properties": {
                     "text": {"type": "string"}, "attachments": {"type": "array", "items": {"type": "integer"}}}}),
                 "responses": {"201": _json(_ref("Comment"), "Created"), **_errors(400, 401, 404, 422)}}},
    "/notifications": {"get": {
        "summary": "My notifications", "parameters": [
            {"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}, *_PAGING],
        "responses": {"200": _json(_list_of("Notification")), **_errors(401, 422)}}},
    "/notifications/{id}/read": {"post": {"summary": "Mark a notification read", "parameters": [_ID],
                                          "responses": {"200": _json({"type": "object"}), **_errors(*_STD)}}},
})
PATHS["/tasks"]["get"]["parameters"][0]["schema"]["enum"] = ["mine", "group", "done", "started"]
PATHS["/tasks"]["get"]["parameters"] += [
    {"name": "fiscal_year", "in": "query", "schema": {"type": "integer"}},
    {"name": "department", "in": "query", "schema": {"type": "string"}},
    {"name": "due", "in": "query", "schema": {"type": "string", "enum": ["overdue", "week"]}},
    {"name": "project_name", "in": "query", "description": "part of the project's name or code",
     "schema": {"type": "string", "maxLength": 100}}]
SCHEMAS["Task"]["properties"]["project"] = {"type": ["object", "null"]}

# -- 事前绩效评估 (ex-ante assessment, api/ex_ante.py) ------------------------------------------------------------
SCHEMAS["Project"]["properties"].update({
    "ex_ante_conclusion": {"type": ["string", "null"], "enum": ["support", "partial", "reject", None],
                           "description": "事前绩效评估结论 of the latest concluded assessment"},
    "ex_ante_score": {"type": ["number", "null"]},
})
PATHS["/projects/{id}/goal-review"]["post"]["requestBody"] = {"required": False, "content": {"application/json": {
    "schema": {"type": "object", "properties": {"acknowledge_conditions": {
        "type": "boolean", "description": "confirms the conditions of a 部分支持 ex-ante conclusion"}}}}}}
PATHS["/projects/{id}/goal-review"]["post"]["responses"].update(_errors(400, 422))
SCHEMAS["ExAnte"] = {"type": "object", "required": [
    "id", "project_id", "instance_id", "department", "fiscal_year", "item_kind", "basis", "status", "score",
    "conclusion", "conditions", "materials"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "instance_id": {"type": ["integer", "null"]},
    "project": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "department": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "item_kind": {"type": "string", "enum": ["project", "policy"]},
    "basis": {"type": "string", "enum": ["new", "continuing"]},
    "status": {"type": "string", "enum": ["registering", "in_review", "concluded"]},
    "use_third_party": {"type": "boolean"},
    "score": {"type": ["number", "null"], "description": "0–100"},
    "dimension_scores": {"type": "object", "additionalProperties": {"type": "number"}},
    "conclusion": {"type": ["string", "null"], "enum": ["support", "partial", "reject", None]},
    "conclusion_label": _NULLABLE_STR, "conditions": _NULLABLE_STR,
    "materials": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string"}, "label": {"type": "string"}, "attachment_id": {"type": "integer"},
        "filename": {"type": "string"}}}},
    "missing_materials": {"type": "array", "items": {"type": "string"}},
    "created_at": {"type": "string", "format": "date-time"},
    "concluded_at": {"type": ["string", "null"], "format": "date-time"}}}
PATHS["/projects/{id}/ex-ante"] = {"post": {
    "summary": "Start the 事前绩效评估 of a project (a filer of its department); its steps are tasks",
    "parameters": [_ID],
    "responses": {"201": _json(_ref("ExAnte"), "Started"), **_errors(401, 403, 404, 409)}}}
PATHS["/ex-ante"] = {"get": {
    "summary": "Ex-ante assessments this user may see, newest first, with score and conclusion",
    "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}},
                   {"name": "department", "in": "query", "schema": {"type": "string"}},
                   {"name": "conclusion", "in": "query", "schema": {"type": "string",
                                                                     "enum": ["support", "partial", "reject"]}},
                   *_PAGING],
    "responses": {"200": _json(_list_of("ExAnte")), **_errors(401, 422)}}}
PATHS["/ex-ante/{id}"] = {"get": {"summary": "One ex-ante assessment", "parameters": [_ID],
                                  "responses": {"200": _json(_ref("ExAnte")), **_errors(*_STD)}}}
PATHS["/ex-ante/{id}/materials"] = {"post": {
    "summary": "Upload one file of the material pack while the item is being registered (its filer)",
    "parameters": [_ID],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["kind", "file"], "properties": {
            "kind": {"type": "string", "enum": ["application", "plan", "feasibility", "budget_detail", "other"]},
            "file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"201": _json({"type": "object", "required": ["id", "kind", "attachment_id"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "attachment_id": {"type": "integer"},
        "filename": {"type": "string"}}}, "Stored"), **_errors(401, 403, 404, 409, 422)}}}
PATHS["/ex-ante/{id}/report.xlsx"] = {"get": {
    "summary": "The 事前绩效评估报告 (score table, conclusion, opinions) as an Excel file", "parameters": [_ID],
    "responses": {"200": {"description": "xlsx", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}}}}, **_errors(*_STD)}}}

# -- 绩效运行监控 (in-year monitoring, api/monitoring.py) -----------------------------------------------------------
_MONEY_OR_NULL = {"type": ["number", "null"], "description": "万元, two decimals"}
_OUTCOMES = ["continue", "correct", "adjust", "suspend", "stop"]
_COLOUR = {"type": ["string", "null"], "enum": ["red", "yellow", "green", None],
           "description": "执行率 ÷ (月份/12): red < 60 %, yellow < 80 %, green (settings MONITORING_*_BELOW)"}
SCHEMAS["MonitoringReportSummary"] = {"type": "object", "required": [
    "id", "project_id", "instance_id", "department", "status", "colour", "outcome"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "instance_id": {"type": ["integer", "null"]},
    "project": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "department": {"type": "string"},
    "status": {"type": "string", "enum": ["pending", "filling", "signoff", "business_review", "decision",
                                          "concluded"]},
    "colour": _COLOUR, "execution_rate": {"type": ["number", "null"], "description": "percent"},
    "flagged_rows": {"type": "integer"},
    "outcome": {"type": ["string", "null"], "enum": [*_OUTCOMES, None]}, "outcome_label": _NULLABLE_STR,
    "rectification_id": {"type": ["integer", "null"]}}}
SCHEMAS["MonitoringRound"] = {"type": "object", "required": ["id", "year", "month", "status", "progress"],
                              "properties": {
    "id": {"type": "integer"}, "year": {"type": "integer"}, "month": {"type": "integer", "minimum": 1, "maximum": 12},
    "period": {"type": "string", "description": "e.g. 1-7月"},
    "status": {"type": "string", "enum": ["starting", "running", "completed"]},
    "batch": _NULLABLE_STR, "started_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "progress": {"type": "object", "properties": {k: {"type": "integer"} for k in (
        "total", "started", "submitted", "concluded")}},
    "colours": {"type": "object", "additionalProperties": {"type": "integer"}},
    "outcomes": {"type": "object", "additionalProperties": {"type": "integer"}},
    "reports": {"type": "array", "items": _ref("MonitoringReportSummary"),
                "description": "the projects this user may see, red first, then the most flagged"},
    "created": {"type": "boolean", "description": "POST only: false when the round existed (nothing started twice)"},
    "added": {"type": "integer", "description": "POST only: projects added by this call"}}}
SCHEMAS["MonitoringReport"] = {"allOf": [_ref("MonitoringReportSummary"), {"type": "object", "properties": {
    "round_id": {"type": "integer"}, "year": {"type": "integer"}, "month": {"type": "integer"},
    "goal_version_id": {"type": "integer"},
    "header": {"type": "object", "properties": {k: {"type": "string"} for k in (
        "project", "competent_department", "implementing_unit")}},
    "budget": {"type": "number"}, "executed": _MONEY_OR_NULL, "forecast": _MONEY_OR_NULL,
    "overall_goal": {"type": "string"}, "overall_progress": {"type": "string"},
    "evidence": {"type": "array", "items": {"type": "integer"}}, "times_submitted": {"type": "integer"},
    "business_recommendation": _NULLABLE_STR, "business_opinion": _NULLABLE_STR,
    "outcome_opinion": _NULLABLE_STR, "outcome_reason": _NULLABLE_STR, "adjusted_amount": _MONEY_OR_NULL,
    "adjusted_goal_version_id": {"type": ["integer", "null"]},
    "indicators": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "level1": {"type": "string"}, "level2": {"type": "string"},
        "name": {"type": "string"}, "operator": {"type": "string"}, "target": {"type": "string"},
        "unit": {"type": "string"}, "progress": {"type": "string"}, "forecast": {"type": "string"},
        "cause": {"type": ["string", "null"], "enum": ["funding", "institution", "staffing", "hardware", "other", None]},
        "likelihood": {"type": ["string", "null"], "enum": ["certain", "possible", "impossible", None]},
        "measures": {"type": "string"}, "evidence": {"type": "array", "items": {"type": "integer"}},
        "flag": {"type": "boolean", "description": "computed: likelihood ≠ 确定能 or behind pro-rata"}}}}}}]}
PATHS["/monitoring-rounds"] = {
    "post": {"summary": "Start (or resume) the monitoring round of a year and cut-off month (performance section): one "
                        "report and one instance per project with approved goals, through the batch start; idempotent",
             "requestBody": _body({"type": "object", "required": ["year", "month"], "properties": {
                 "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                 "month": {"type": "integer", "minimum": 1, "maximum": 12}}}),
             "responses": {"201": _json(_ref("MonitoringRound"), "Started"),
                           "200": _json(_ref("MonitoringRound"), "The round existed: only what was pending is sent"),
                           **_errors(400, 401, 403, 404, 422)}},
    "get": {"summary": "The monitoring rounds, newest first, with their progress",
            "responses": {"200": _json(_list_of("MonitoringRound")), **_errors(*_STD)}}}
PATHS["/monitoring-rounds/{id}"] = {"get": {
    "summary": "One round: progress while it starts, colours, outcomes and the per-project summary", "parameters": [_ID],
    "responses": {"200": _json(_ref("MonitoringRound")), **_errors(*_STD)}}}
PATHS["/monitoring-reports/{id}"] = {"get": {
    "summary": "One project's 监控表 (filled through its fill_report task: POST /tasks/{id}/complete)",
    "parameters": [_ID], "responses": {"200": _json(_ref("MonitoringReport")), **_errors(*_STD)}}}
PATHS["/monitoring-reports/{id}/rectification"] = {"post": {
    "summary": "Open a rectification (source monitoring) from a submitted report, its findings the flagged rows "
               "unless given (performance section; one per report)", "parameters": [_ID],
    "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "findings": {"type": "array", "items": {"type": "string"}},
        "deadline": {"type": "string", "format": "date"}}}}}},
    "responses": {"201": _json(_ref("Rectification"), "Opened"), **_errors(400, 401, 403, 404, 409, 422)}}}
# -- 预算执行 (budget execution, api/execution.py) --------------------------------------------------------------
_MONEY = {"type": "number", "description": "万元, two places"}
_RATE = {"type": ["number", "null"], "description": "percent, two places; null when the budget is 0"}
SCHEMAS["PaymentImport"] = {"type": "object", "required": [
    "id", "filename", "sha256", "unit", "rows", "replaced", "projects", "years"], "properties": {
    "id": {"type": "integer"}, "filename": {"type": "string"}, "sha256": {"type": "string"},
    "unit": {"type": "string", "enum": ["yuan", "wan"], "description": "the unit named in the file's header"},
    "rows": {"type": "integer", "description": "project-months written"},
    "replaced": {"type": "integer", "description": "of which replaced a month an earlier import held"},
    "projects": {"type": "integer"}, "years": {"type": "array", "items": {"type": "integer"}},
    "imported_by": _NULLABLE_STR, "created_at": {"type": "string", "format": "date-time"}}}
SCHEMAS["PaymentFileRejected"] = {"type": "object", "required": ["error", "message", "rows"], "properties": {
    "error": {"type": "string", "enum": ["validation_failed"]}, "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "rows": {"type": "array", "description": "every bad row; empty when the file itself is unusable",
             "items": {"type": "object", "required": ["row", "column", "message"], "properties": {
                 "row": {"type": "integer", "description": "as the spreadsheet numbers it"},
                 "column": {"type": "string", "enum": ["项目编码", "月份", "支付金额", "年度"]},
                 "message": {"type": "string"}}}}}}
PATHS["/payment-imports"] = {"post": {
    "summary": "Import the payment system's export (绩效科, 财政业务科室): all rows or none",
    "description": "Columns 项目编码, 月份 (1–12 or 2027-03), 支付金额（元） or 支付金额（万元） (the header names the "
                   "unit), optional 年度. .xlsx or CSV (UTF-8, GBK). A project's month in the file replaces what "
                   "an earlier import held for it.",
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "year": {"type": "integer", "description": "the year of rows whose file names none"}}}}}},
    "responses": {"201": _json(_ref("PaymentImport"), "Imported"),
                  "422": _json(_ref("PaymentFileRejected"), "Refused: nothing imported"), **_errors(401, 403)}}}
PATHS["/projects/{id}/execution"] = {"get": {
    "summary": "A project's budget execution by month (paid, cumulative, 执行率)",
    "parameters": [_ID, {"name": "year", "in": "query", "schema": {"type": "integer"},
                         "description": "default: the project's fiscal year"}],
    "responses": {"200": _json({"type": "object", "required": ["project_id", "year", "budget", "executed", "rate",
                                                               "months"], "properties": {
        "project_id": {"type": "integer"}, "year": {"type": "integer"}, "budget": _MONEY, "executed": _MONEY,
        "rate": _RATE, "months": {"type": "array", "items": {"type": "object", "properties": {
            "month": {"type": "integer"}, "amount": _MONEY, "cumulative": _MONEY, "rate": _RATE,
            "imported": {"type": "boolean", "description": "false: the payment system reported no row"}}}}}}),
        **_errors(401, 404, 422)}}}

# -- the monitoring board (api/monitoring_board.py) ----------------------------------------------------------------
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
SCHEMAS["MonitoringFigures"] = {"type": "object", "required": [
    "department", "name", "projects", "budget", "executed", "rate", "colours", "flagged_rows", "outcomes"],
    "properties": {
    "department": {"type": ["string", "null"], "description": "the department's code; null in the total"},
    "name": {"type": "string"}, "projects": {"type": "integer"}, "budget": _MONEY, "executed": _MONEY,
    "rate": {**_RATE, "description": "executed over budget of these reports, percent"},
    "colours": {**_COUNTS, "description": "reports per colour: red, yellow, green, none (not reported yet)"},
    "flagged_rows": {"type": "integer", "description": "flagged indicator rows"},
    "flagged_projects": {"type": "integer", "description": "reports with at least one flagged row"},
    "outcomes": {**_COUNTS, "description": "reports per outcome: continue, correct, adjust, suspend, stop"}}}
_ROUND_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_DEPARTMENT_FILTER = {"name": "department", "in": "query", "schema": {"type": "string"},
                      "description": "one department's code"}
PATHS["/monitoring-rounds/{id}/board"] = {"get": {
    "summary": "The monitoring board of a round: totals, per department, the projects worst first (paged)",
    "description": "A department sees only its own projects' reports; experts and third parties get 404.",
    "parameters": [_ROUND_ID, _DEPARTMENT_FILTER, *_PAGING],
    "responses": {"200": _json({"type": "object", "required": ["round_id", "total", "departments", "projects"],
                                "properties": {
        "round_id": {"type": "integer"}, "year": {"type": "integer"}, "month": {"type": "integer"},
        "total": _ref("MonitoringFigures"),
        "departments": {"type": "array", "items": _ref("MonitoringFigures")},
        "projects": {"type": "object", "properties": {"total": {"type": "integer"}, "items": {
            "type": "array", "items": {"type": "object", "properties": {
                "report_id": {"type": "integer"}, "project_id": {"type": "integer"}, "code": {"type": "string"},
                "name": {"type": "string"}, "department": {"type": "string"}, "budget": _MONEY,
                "executed": {"type": ["number", "null"]}, "rate": _RATE,
                "colour": {"type": "string", "enum": ["red", "yellow", "green", "none"]},
                "flagged_rows": {"type": "integer"}, "outcome": _NULLABLE_STR, "status": {"type": "string"},
                "rectification_id": {"type": ["integer", "null"]}}}}}}}}),
        **_errors(401, 404, 422)}}}
PATHS["/monitoring-rounds/{id}/summary.xlsx"] = {"get": {
    "summary": "The round's 监控汇总表 as Excel: one row per project (funds, rate, colour, flagged indicators, "
               "outcome), worst first, and a sheet per department",
    "parameters": [_ROUND_ID, _DEPARTMENT_FILTER],
    "responses": {"200": {"description": "xlsx", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}}}}, **_errors(401, 404)}}}
