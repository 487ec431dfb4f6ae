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

# -- 部门整体绩效 (whole-department performance, api/department_performance.py) ------------------------------------
_DP_INDICATOR = {"type": "object", "properties": {
    "level1": {"type": "string", "enum": ["履职效能", "管理效率"]},
    "level2": {"type": "string", "enum": ["产出", "效益", "满意度", "预算执行", "结转结余", "三公经费", "政府采购",
                                          "资产管理"]},
    "name": {"type": "string"}, "operator": {"type": "string", "enum": [">=", "<=", "=", "定性"]},
    "target": {"type": "string"}, "unit": {"type": "string"}, "weight": {"type": "number"},
    "points": {"type": "number", "description": "分值: the category's points shared by weight"}}}
SCHEMAS["DepartmentPerformance"] = {"type": "object", "required": [
    "id", "instance_id", "department", "year", "status", "current_version", "approved_version", "score", "grade"],
    "properties": {
    "id": {"type": "integer"}, "instance_id": {"type": ["integer", "null"]}, "department": {"type": "string"},
    "department_name": {"type": "string"}, "year": {"type": "integer"},
    "status": {"type": "string", "enum": ["goals", "goals_review", "goals_approved", "evaluating",
                                          "evaluation_review", "finished"]},
    "status_label": {"type": "string"},
    "current_version": {"type": ["integer", "null"]}, "approved_version": {"type": ["integer", "null"]},
    "score": {"type": ["number", "null"], "description": "0–100, the self-evaluation's"},
    "grade": {"type": ["string", "null"], "enum": ["优", "良", "中", "差", None]},
    "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "goal_versions": {"type": "array", "description": "newest first (only on GET of one case)", "items": {
        "type": "object", "properties": {
            "number": {"type": "integer"}, "round": _NULLABLE_STR, "overall_goal": {"type": "string"},
            "amount": {"type": "number", "description": "the department's budget total (万元)"},
            "indicators": {"type": "array", "items": _DP_INDICATOR}}}},
    "diffs": {"type": "array", "description": "each version against the one before, newest first",
              "items": {"type": "object"}},
    "self_evaluation": {"type": ["object", "null"]},
    "breakdown": {"type": ["object", "null"], "description": "the score per category and per indicator"},
    "opinions": {"type": "array", "items": {"type": "object"}}}}
PATHS["/department-performance"] = {
    "post": {"summary": "Start the year's 部门整体绩效 cases, one per department (the departments with a filer, or "
                        "those named); a department that has the year's case already is skipped (performance section)",
             "requestBody": _body({"type": "object", "required": ["year"], "properties": {
                 "year": {"type": "integer"}, "departments": {"type": "array", "items": {"type": "string"}}}}),
             "responses": {"201": _json({"type": "object", "properties": {
                 "items": {"type": "array", "items": _ref("DepartmentPerformance")}, "total": {"type": "integer"},
                 "skipped": {"type": "array", "items": {"type": "string"}}}}, "Started"),
                 **_errors(400, 401, 403, 409, 422)}},
    "get": {"summary": "部门整体绩效 cases this user may see (the bureau all, a department its own)",
            "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}},
                           {"name": "department", "in": "query", "schema": {"type": "string"}},
                           {"name": "status", "in": "query", "schema": {"type": "string"}}, *_PAGING],
            "responses": {"200": _json(_list_of("DepartmentPerformance")), **_errors(401, 422)}}}
PATHS["/department-performance/{id}"] = {"get": {
    "summary": "One case: goal versions and their diff, the self-evaluation and its score breakdown, the opinions",
    "parameters": [_ID], "responses": {"200": _json(_ref("DepartmentPerformance")), **_errors(*_STD)}}}
PATHS["/department-performance/{id}/report.pdf"] = {"get": {
    "summary": "The self-evaluation report (部门整体绩效自评报告) as a PDF, once the performance section confirmed it",
    "parameters": [_ID], "responses": {"200": {"description": "pdf", "content": {"application/pdf": {
        "schema": {"type": "string", "format": "binary"}}}}, **_errors(401, 404, 409)}}}
# -- 财政重点评价 (key evaluation, api/key_evaluation.py) ------------------------------------------------------------
_NULLABLE_NUM = {"type": ["number", "null"]}
_KE_DIMENSION = {"type": "string", "enum": ["决策", "过程", "产出", "效益"]}
SCHEMAS["KeyEvaluationIndicator"] = {"type": "object", "required": ["dimension", "level2", "name", "points"], "properties": {
    "code": {"type": "string", "description": "1..n in order; the agency's scores name it"},
    "dimension": _KE_DIMENSION, "level2": {"type": "string", "maxLength": 50},
    "name": {"type": "string", "maxLength": 200}, "standard": {"type": "string", "maxLength": 1000},
    "points": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
    "score": _NULLABLE_NUM, "comment": {"type": "string"}}}
SCHEMAS["KeyEvaluation"] = {"type": "object", "required": [
    "id", "project_id", "instance_id", "department", "fiscal_year", "agency", "agency_name", "status", "indicators",
    "agency_score", "score", "grade", "findings"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "instance_id": {"type": ["integer", "null"]},
    "project": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                                 "amount": {"type": "number"}}},
    "department": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "agency": {"type": "string", "description": "username of the commissioned third-party agency"},
    "agency_name": {"type": "string"},
    "status": {"type": "string", "enum": ["scoring", "reviewing", "feedback", "finalising", "finished"]},
    "status_label": _NULLABLE_STR,
    "indicators": {"type": "array", "items": _ref("KeyEvaluationIndicator")},
    "dimension_points": {"type": "object", "additionalProperties": {"type": "number"}},
    "agency_score": _NULLABLE_NUM, "score": _NULLABLE_NUM,
    "grade": {"type": ["string", "null"], "enum": ["优", "良", "中", "差", None]},
    "adjust_reason": _NULLABLE_STR, "reduce_amount": _NULLABLE_NUM,
    "method": {"type": "string"}, "findings": {"type": "array", "items": {"type": "string"}},
    "conclusion": {"type": "string"}, "experience": {"type": "string"}, "suggestions": {"type": "string"},
    "report_attachments": {"type": "array", "items": {"type": "integer"}},
    "objection": {"type": ["boolean", "null"]}, "objection_text": _NULLABLE_STR,
    "opinions": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["review", "feedback", "finalise"]}, "decision": _NULLABLE_STR,
        "text": {"type": "string"}, "by": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}}},
    "rectification_id": {"type": ["integer", "null"]},
    "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "work_visible": {"type": "boolean", "description": "false: the agency's draft, not yet accepted by the "
                                                       "performance section, is withheld from the department"}}}
SCHEMAS["KeyEvaluationCandidate"] = {"type": "object", "required": [
    "project_id", "code", "name", "department", "amount", "public_concern", "wide_coverage"], "properties": {
    "project_id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
    "department": {"type": "string"}, "fiscal_year": {"type": "integer"}, "amount": {"type": "number"},
    "fund_source": {"type": "string"}, "goal_status": {"type": "string"},
    "public_concern": {"type": "boolean"}, "wide_coverage": {"type": "boolean"},
    "running_evaluation_id": {"type": ["integer", "null"]}}}
_KE_BOOL_QUERY = {"type": "string", "enum": ["true", "false"]}
PATHS["/key-evaluations/candidates"] = {"get": {
    "summary": "选取评价对象: projects matching the filters, with their marks (performance section)",
    "parameters": [{"name": "fiscal_year", "in": "query", "schema": {"type": "integer"}},
                   {"name": "min_amount", "in": "query", "description": "万元", "schema": {"type": "number"}},
                   {"name": "department", "in": "query", "schema": {"type": "string"}},
                   {"name": "fund_source", "in": "query",
                    "schema": {"type": "string", "enum": ["general", "fund", "state_capital"]}},
                   {"name": "approved_goals", "in": "query", "schema": _KE_BOOL_QUERY},
                   {"name": "public_concern", "in": "query", "schema": _KE_BOOL_QUERY},
                   {"name": "wide_coverage", "in": "query", "schema": _KE_BOOL_QUERY}],
    "responses": {"200": _json(_list_of("KeyEvaluationCandidate")), **_errors(401, 403, 422)}}}
PATHS["/projects/{id}/key-evaluation-marks"] = {"put": {
    "summary": "Set the selection marks 社会关注度高 / 覆盖面广 of a project (performance section)",
    "parameters": [_ID],
    "requestBody": _body({"type": "object", "properties": {"public_concern": {"type": "boolean"},
                                                           "wide_coverage": {"type": "boolean"}}}),
    "responses": {"200": _json({"type": "object", "required": ["project_id", "public_concern", "wide_coverage"],
                                "properties": {"project_id": {"type": "integer"},
                                               "public_concern": {"type": "boolean"},
                                               "wide_coverage": {"type": "boolean"}}}),
                  **_errors(400, 401, 403, 404, 422)}}}
PATHS["/key-evaluations/default-indicators"] = {"get": {
    "summary": "The default indicator tree (财预〔2020〕10号 framework: 决策 20, 过程 20, 产出 30, 效益 30)",
    "responses": {"200": _json(_list_of("KeyEvaluationIndicator")), **_errors(401)}}}
PATHS["/key-evaluations"] = {
    "post": {"summary": "Commission a third-party agency: one key evaluation (and instance) per project, all or "
                        "nothing; the tree must total 100 with 产出+效益 ≥ 60 (default: the 10号 framework)",
             "requestBody": _body({"type": "object", "required": ["project_ids", "agency"], "properties": {
                 "project_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 100},
                 "agency": {"type": "string", "description": "username of a user with role third_party"},
                 "indicators": {"type": "array", "items": _ref("KeyEvaluationIndicator")}}}),
             "responses": {"201": _json(_list_of("KeyEvaluation"), "Commissioned"),
                           **_errors(400, 401, 403, 404, 409, 422)}},
    "get": {"summary": "Key evaluations this user may see (an agency: only its own), newest first",
            "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}},
                           {"name": "department", "in": "query", "schema": {"type": "string"}},
                           {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                               "scoring", "reviewing", "feedback", "finalising", "finished"]}}, *_PAGING],
            "responses": {"200": _json(_list_of("KeyEvaluation")), **_errors(401, 422)}}}
PATHS["/key-evaluations/{id}"] = {"get": {"summary": "One key evaluation", "parameters": [_ID],
                                          "responses": {"200": _json(_ref("KeyEvaluation")), **_errors(*_STD)}}}
PATHS["/key-evaluations/{id}/indicators"] = {"put": {
    "summary": "Replace the indicator tree until the agency has scored (performance section)",
    "parameters": [_ID],
    "requestBody": _body({"type": "object", "required": ["indicators"], "properties": {
        "indicators": {"type": "array", "items": _ref("KeyEvaluationIndicator")}}}),
    "responses": {"200": _json(_ref("KeyEvaluation")), **_errors(400, 401, 403, 404, 409, 422)}}}
PATHS["/key-evaluations/{id}/rectification"] = {"post": {
    "summary": "Open the rectification of a finished evaluation's findings (source key_evaluation), once",
    "parameters": [_ID],
    "requestBody": _body({"type": "object", "required": ["deadline"], "properties": {
        "deadline": {"type": "string", "format": "date"}}}),
    "responses": {"201": _json({"type": "object", "required": ["id", "instance_id", "findings", "source"],
                                "properties": {"id": {"type": "integer"}, "instance_id": {"type": "integer"},
                                               "findings": {"type": "array", "items": {"type": "string"}},
                                               "source": {"type": "string"},
                                               "deadline": {"type": "string", "format": "date"}}}, "Opened"),
                  **_errors(400, 401, 403, 404, 409, 422)}}}
PATHS["/key-evaluations/{id}/report.pdf"] = {"get": {
    "summary": "The 重点评价报告 (财预〔2020〕10号 outline, score table) as a PDF; to the department only once the "
               "performance section has accepted the agency's work (409 before)", "parameters": [_ID],
    "responses": {"200": {"description": "pdf", "content": {"application/pdf": {
        "schema": {"type": "string", "format": "binary"}}}}, **_errors(*_STD, 409)}}}
# -- 结果应用 (result application, api/result_application.py) -------------------------------------------------------
_XLSX_RESPONSE = {"description": "xlsx", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}
SCHEMAS["ResultApplication"] = {"type": "object", "required": [
    "id", "project_id", "department", "evaluated_year", "budget_year", "source", "score", "grade", "decision",
    "reduce_amount"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"},
    "project": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "department": {"type": "string"}, "evaluated_year": {"type": "integer"},
    "budget_year": {"type": "integer", "description": "the budget the decision is for (evaluated year + 1)"},
    "source": {"type": "string", "enum": ["self_evaluation", "recheck", "key_evaluation"],
               "description": "key_evaluation overrides recheck, which overrides self_evaluation"},
    "score": {"type": "number"}, "grade": {"type": "string", "enum": ["优", "良", "中", "差"]},
    "decision": {"type": "string", "enum": ["priority", "maintain", "reduce", "cancel"]},
    "reduce_amount": {"type": ["number", "null"], "description": "万元, with reduce; null: to be set"},
    "suggested_amount": {"type": ["number", "null"], "description": "下年度建议安排数 (万元)"},
    "superseded": {"type": "array", "items": {"type": "object"}},
    "note": {"type": "string"}, "decided_by": {"type": "string"}, "decided_at": {"type": "string", "format": "date-time"}}}
_BUDGET_YEAR = {"name": "budget_year", "in": "query", "required": True, "schema": {"type": "integer"}}
_DEPARTMENT = {"name": "department", "in": "query", "schema": {"type": "string"}}
_YEAR = {"name": "year", "in": "query", "required": True, "description": "the evaluated year",
         "schema": {"type": "integer"}}
PATHS["/result-applications"] = {"get": {
    "summary": "The next-year budget decision list: the counting evaluation result per project (scoped)",
    "parameters": [_BUDGET_YEAR, _DEPARTMENT, *_PAGING],
    "responses": {"200": _json(_list_of("ResultApplication")), **_errors(401, 422)}}}
PATHS["/result-applications.xlsx"] = {"get": {
    "summary": "The decision list as an Excel file", "parameters": [_BUDGET_YEAR, _DEPARTMENT],
    "responses": {"200": _XLSX_RESPONSE, **_errors(401, 422)}}}
PATHS["/result-applications/{id}/reduce-amount"] = {"post": {
    "summary": "Set the cut (万元) of a 核减 result (performance section)", "parameters": [_ID],
    "requestBody": _body({"type": "object", "required": ["reduce_amount"], "properties": {
        "reduce_amount": {"type": "number", "minimum": 0}, "note": {"type": "string"}}}),
    "responses": {"200": _json(_ref("ResultApplication")), **_errors(400, 401, 403, 404, 422)}}}
SCHEMAS["RankingRow"] = {"type": "object", "properties": {
    "rank": {"type": "integer"}, "department": {"type": "string"}, "department_name": {"type": "string"},
    "projects": {"type": "integer"}, "average": {"type": "number"},
    "grades": {"type": "object", "additionalProperties": {"type": "integer"}},
    "recheck_gap": {"type": ["number", "null"], "description": "mean |self-evaluation − re-check| score"}}}
PATHS["/evaluation-ranking"] = {"get": {
    "summary": "The departments ranked by their average evaluation score of a year (部门绩效考核; the bureau's)",
    "parameters": [_YEAR],
    "responses": {"200": _json({"type": "object", "properties": {"year": {"type": "integer"}, "items": {
        "type": "array", "items": _ref("RankingRow")}}}), **_errors(401, 403, 422)}}}
PATHS["/evaluation-ranking.xlsx"] = {"get": {
    "summary": "The ranking as an Excel file", "parameters": [_YEAR],
    "responses": {"200": _XLSX_RESPONSE, **_errors(401, 403, 422)}}}

# -- 单位自评 and 财政复核 (api/self_evaluation.py) -------------------------------------------------------------------
SCHEMAS["EvaluationRound"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"}, "min_amount": {"type": "number"},
    "projects": {"type": "integer"}, "added": {"type": "integer", "description": "projects added by this start"},
    "sample_seed": _NULLABLE_STR, "sample_share": {"type": ["number", "null"]},
    "sample_count": {"type": ["integer", "null"]}, "sampled_at": {"type": ["string", "null"], "format": "date-time"},
    "sampled": {"type": "array", "items": {"type": "integer"}}, "flagged": {"type": "array", "items": {"type": "integer"}}}}
SCHEMAS["SelfEvaluation"] = {"type": "object", "required": ["id", "project_id", "status", "score", "grade", "flagged"],
                             "properties": {
    "id": {"type": "integer"}, "round_id": {"type": "integer"}, "project_id": {"type": "integer"},
    "instance_id": {"type": ["integer", "null"]}, "department": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "status": {"type": "string", "enum": ["filling", "signing", "submitted", "rechecked"]},
    "score": {"type": ["number", "null"]}, "grade": {"type": ["string", "null"]},
    "flagged": {"type": "boolean", "description": "every row full marks and no problem named: drawn for re-check"},
    "recheck_reason": {"type": ["string", "null"], "enum": ["sampled", "flagged", "chosen", None]},
    "recheck_instance_id": {"type": ["integer", "null"],
                            "description": "the re-check's instance (process self_evaluation_recheck), once drawn"},
    "recheck_score": {"type": ["number", "null"]}, "recheck_grade": {"type": ["string", "null"]},
    "score_gap": {"type": ["number", "null"], "description": "department's score − finance's"},
    "final_score": {"type": ["number", "null"]}, "final_grade": {"type": ["string", "null"]},
    "rows": {"type": "array", "items": {"type": "object"}, "description": "the 自评表 rows (full view only)"},
    "breakdown": {"type": ["object", "null"], "description": "points and score per row and category"}}}
_FIGURES = {"type": "object", "required": ["executed", "rows"], "properties": {
    "executed": {"type": "number", "description": "全年执行数 (万元), finance's figure"},
    "rows": {"type": "array", "description": "one per indicator, in the table's order", "items": {
        "type": "object", "properties": {"actual": {"type": "string"}, "level": {"type": "string",
                                         "enum": ["达成", "部分达成", "未达成", ""]},
                                         "share": {"type": "string", "description": "per cent within the level's band"},
                                         "cause": {"type": "string"}}}},
    "opinion": {"type": "string"}, "findings": {"type": "array", "items": {"type": "string"},
                                                "description": "open a rectification (source recheck)"},
    "deadline": {"type": "string", "format": "date", "description": "the rectification's deadline"},
    "reduce_amount": {"type": "number", "description": "万元, with a 中 result"}}}
PATHS["/self-evaluation-rounds"] = {
    "get": {"summary": "The self-evaluation rounds", "responses": {"200": _json(_list_of("EvaluationRound")),
                                                                    **_errors(401)}},
    "post": {"summary": "Open (or extend) a year's round: one 自评表 and instance per project with approved goals "
                        "from min_amount (万元, default EVALUATION_MIN_AMOUNT) on, started in batch",
             "requestBody": _body({"type": "object", "required": ["fiscal_year"], "properties": {
                 "fiscal_year": {"type": "integer"}, "min_amount": {"type": "number"}}}),
             "responses": {"201": _json(_ref("EvaluationRound"), "Started"), **_errors(400, 401, 403, 422)}}}
PATHS["/self-evaluation-rounds/{id}"] = {"get": {"summary": "One round", "parameters": [_ID],
                                                 "responses": {"200": _json(_ref("EvaluationRound")), **_errors(*_STD)}}}
PATHS["/self-evaluation-rounds/{id}/sample"] = {"post": {
    "summary": "Draw the re-check sample: seeded random share (%) or count of the submitted tables, plus all flagged; "
               "each newly drawn table gets its re-check task (process self_evaluation_recheck, one per table)",
    "parameters": [_ID],
    "requestBody": _body({"type": "object", "required": ["seed"], "properties": {
        "seed": {"type": "string"}, "share": {"type": "number"}, "count": {"type": "integer"}}}),
    "responses": {"200": _json(_ref("EvaluationRound")), **_errors(400, 401, 403, 404, 409, 422)}}}
PATHS["/self-evaluations"] = {"get": {
    "summary": "The 自评表 the user may see", "parameters": [
        {"name": "year", "in": "query", "schema": {"type": "integer"}},
        {"name": "round_id", "in": "query", "schema": {"type": "integer"}}, _DEPARTMENT,
        {"name": "status", "in": "query", "schema": {"type": "string"}},
        {"name": "recheck", "in": "query", "schema": {"type": "boolean"}}, *_PAGING],
    "responses": {"200": _json(_list_of("SelfEvaluation")), **_errors(401, 422)}}}
PATHS["/self-evaluations/{id}"] = {"get": {"summary": "One 自评表 with its breakdown and re-check", "parameters": [_ID],
                                           "responses": {"200": _json(_ref("SelfEvaluation")), **_errors(*_STD)}}}
PATHS["/self-evaluations/{id}/choose"] = {"post": {
    "summary": "Put a submitted table into the re-check by hand (performance section): starts its re-check task",
    "parameters": [_ID],
    "responses": {"200": _json(_ref("SelfEvaluation")), **_errors(401, 403, 404, 409)}}}
PATHS["/self-evaluations/{id}/recheck"] = {"post": {
    "summary": "Finance re-scores a drawn table with its own figures; the gap, the grade to the department, "
               "findings → rectification, the result (source recheck). Completes the table's re-check task "
               "(the same as completing task recheck_evaluation)", "parameters": [_ID],
    "requestBody": _body(_FIGURES),
    "responses": {"200": _json(_ref("SelfEvaluation")), **_errors(400, 401, 403, 404, 409, 422)}}}
PATHS["/self-evaluation-quality"] = {"get": {
    "summary": "Per department: re-checked tables and the mean gap between its self-scores and finance's",
    "parameters": [_YEAR],
    "responses": {"200": _json({"type": "object", "properties": {"year": {"type": "integer"}, "items": {
        "type": "array", "items": {"type": "object"}}}}), **_errors(401, 403, 422)}}}
# -- 信息公开, the 人大 package and the goal table (api/disclosure.py, api/goal_table.py) ------------------------------
_KIND = {"name": "kind", "in": "path", "required": True, "description": "publication kind, e.g. goal_table",
         "schema": {"type": "string"}}
_PDF = {"200": {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}
_XLSX_FILE = {"200": {"description": "xlsx", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}}
_YEAR_Q = {"name": "year", "in": "query", "schema": {"type": "integer"}}
SCHEMAS["Publication"] = {"type": "object", "required": [
    "kind", "id", "code", "title", "department", "fiscal_year", "state", "published", "reason", "published_at"],
    "properties": {
        "kind": {"type": "string"}, "kind_label": {"type": "string"}, "id": {"type": "integer"},
        "code": {"type": "string"}, "title": {"type": "string"}, "department": _NULLABLE_STR,
        "department_name": {"type": "string"}, "fiscal_year": {"type": "integer"},
        "approved_at": {"type": ["string", "null"], "format": "date-time"},
        "state": {"type": "string", "enum": ["pending", "published", "withheld"]},
        "published": {"type": ["boolean", "null"]}, "reason": _NULLABLE_STR,
        "published_at": {"type": ["string", "null"], "format": "date-time"}, "decided_by": _NULLABLE_STR,
        "waiting_days": {"type": ["integer", "null"], "description": "days since approval while undecided"},
        "overdue": {"type": "boolean", "description": "undecided for more than DISCLOSURE_WARNING_DAYS"}}}
SCHEMAS["PublicDocument"] = {"type": "object", "required": ["kind", "id", "code", "title", "fiscal_year", "pdf"],
                             "properties": {
    "kind": {"type": "string"}, "kind_label": {"type": "string"}, "id": {"type": "integer"},
    "code": {"type": "string"}, "title": {"type": "string"}, "department": _NULLABLE_STR,
    "department_name": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "published_at": {"type": ["string", "null"], "format": "date-time"}, "pdf": {"type": "string"}}}
SCHEMAS["NpcPackage"] = {"type": "object", "required": ["id", "fiscal_year", "status", "percent", "sha256"],
                         "properties": {
    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"},
    "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
    "done_steps": {"type": "integer"}, "total_steps": {"type": "integer"},
    "percent": {"type": "integer", "minimum": 0, "maximum": 100}, "documents": {"type": "integer"},
    "size": {"type": ["integer", "null"]}, "sha256": _NULLABLE_STR, "error": _NULLABLE_STR,
    "requested_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"}}}
PATHS["/publications"] = {"get": {
    "summary": "Every publishable document this user may see (approved goal tables, evaluation reports) with its "
               "publish state (信息公开); departments see their own",
    "parameters": [_YEAR_Q, {"name": "kind", "in": "query", "schema": {"type": "string"}},
                   {"name": "department", "in": "query", "schema": {"type": "string"}},
                   {"name": "state", "in": "query", "schema": {"type": "string",
                                                                "enum": ["pending", "published", "withheld", "overdue"]}},
                   *_PAGING],
    "responses": {"200": _json(_list_of("Publication")), **_errors(401, 403, 422)}}}
PATHS["/publications/{kind}/{id}"] = {
    "get": {"summary": "One publishable document and its publish state", "parameters": [_KIND, _ID],
            "responses": {"200": _json(_ref("Publication")), **_errors(401, 404, 422)}},
    "put": {"summary": "公开 (published now, the date recorded) or 不公开 with a required reason (the document's "
                       "department or the performance section)", "parameters": [_KIND, _ID],
            "requestBody": _body({"type": "object", "required": ["published"], "properties": {
                "published": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 2000,
                                                             "description": "required when published is false"}}}),
            "responses": {"200": _json(_ref("Publication")), **_errors(400, 401, 403, 404, 422)}}}
PATHS["/public/documents"] = {"get": {
    "summary": "Published documents (no token): by year, department, kind, and a search of name or code",
    "security": [],
    "parameters": [_YEAR_Q, {"name": "department", "in": "query", "schema": {"type": "string"}},
                   {"name": "kind", "in": "query", "schema": {"type": "string"}},
                   {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}}, *_PAGING],
    "responses": {"200": _json(_list_of("PublicDocument")), **_errors(422)}}}
PATHS["/public/documents/{kind}/{id}.pdf"] = {"get": {
    "summary": "A published document as PDF (no token); anything not published is 404", "security": [],
    "parameters": [_KIND, _ID], "responses": {**_PDF, **_errors(404, 422)}}}
PATHS["/npc-packages"] = {
    "get": {"summary": "The 报送人大 packages built (performance section, admins, supervisors)",
            "parameters": [_YEAR_Q, *_PAGING],
            "responses": {"200": _json(_list_of("NpcPackage")), **_errors(401, 403, 422)}},
    "post": {"summary": "Build a year's 报送人大 package in the background (performance section, admins); poll its status",
             "requestBody": _body({"type": "object", "required": ["fiscal_year"], "properties": {
                 "fiscal_year": {"type": "integer", "minimum": 2000, "maximum": 2100}}}),
             "responses": {"202": _json(_ref("NpcPackage"), "Queued"), **_errors(400, 401, 403, 409, 422)}}}
PATHS["/npc-packages/{id}"] = {"get": {"summary": "A package's progress and, once built, its size and SHA-256",
                                       "parameters": [_ID],
                                       "responses": {"200": _json(_ref("NpcPackage")), **_errors(401, 403, 404)}}}
PATHS["/npc-packages/{id}/file"] = {"get": {
    "summary": "The package's PDF, checked against its SHA-256 (header X-Content-SHA256); a changed file is 409",
    "parameters": [_ID], "responses": {**_PDF, **_errors(401, 403, 404, 409)}}}
PATHS["/projects/{id}/goal-table.pdf"] = {"get": {
    "summary": "The project's 绩效目标表 (the approved version, else the latest submitted) as PDF",
    "parameters": [_ID], "responses": {**_PDF, **_errors(*_STD)}}}
PATHS["/self-evaluations/{id}/form.pdf"] = {"get": {
    "summary": "The 项目支出绩效自评表 (财预〔2020〕10号 附件1) as PDF, with the stored scores and, once re-checked, "
               "finance's score, grade and opinion; before submission with a 草稿 watermark, 409 before it is filled",
    "parameters": [_ID], "responses": {**_PDF, **_errors(*_STD, 409)}}}
PATHS["/projects/{id}/goal-table.xlsx"] = {"get": {
    "summary": "The project's 绩效目标表 as Excel, in the layout the import reads (the import template)",
    "parameters": [_ID], "responses": {**_XLSX_FILE, **_errors(*_STD)}}}
PATHS["/tasks/{id}/goal-import"] = {"post": {
    "summary": "Read a 绩效目标表 Excel file for a draft_goals/revise_goals task: the rows as `complete` takes them "
               "(nothing stored); every bad row in `fields` as \"第N行\"",
    "parameters": [_ID],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"200": _json({"type": "object", "required": ["overall_goal", "indicators"], "properties": {
        "overall_goal": {"type": "string"}, "indicators": {"type": "array", "items": {"type": "object"}}}}),
        **_errors(401, 403, 404, 409, 422)}}}
# 部门整体支出绩效目标表 (api/department_performance.py): the department's annual goals in and out, as the project's
PATHS["/department-performance/{id}/goal-table.pdf"] = {"get": {
    "summary": "The case's 部门整体支出绩效目标表 (the approved goal version, else the latest written) as PDF",
    "parameters": [_ID], "responses": {**_PDF, **_errors(*_STD)}}}
PATHS["/department-performance/{id}/goal-table.xlsx"] = {"get": {
    "summary": "The case's 部门整体支出绩效目标表 as Excel, in the layout the import reads (the import template)",
    "parameters": [_ID], "responses": {**_XLSX_FILE, **_errors(*_STD)}}}
PATHS["/department-performance/{id}/goal-import"] = {"post": {
    "summary": "Read a 部门整体支出绩效目标表 Excel file for the case's draft_dept_goals step: the rows as `complete` "
               "takes them (nothing stored; the import is audited); every bad row in `fields` as \"第N行\"; "
               "409 when the goals are not being drafted",
    "parameters": [_ID],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"200": _json({"type": "object", "required": ["overall_goal", "amount", "indicators"], "properties": {
        "overall_goal": {"type": "string"},
        "amount": {"type": ["string", "null"], "description": "部门预算总额（万元） as written in the sheet"},
        "indicators": {"type": "array", "items": {"type": "object"}}}}),
        **_errors(401, 403, 404, 409, 422)}}}
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
SCHEMAS["PaymentFileRejected"] = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string", "enum": ["validation_failed"]}, "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "rows": {"type": "array", "description": "every bad row, when the file was read (absent when the request itself "
                                               "is refused, e.g. a bad year); empty when the file itself is unusable",
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
