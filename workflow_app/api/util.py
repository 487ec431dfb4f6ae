"""Small helpers shared by the API views."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import BadRequest

from ..services.errors import DomainError


class MalformedJson(DomainError):
    status = 400
    code = "bad_request"


def json_body(required: bool = False) -> dict[str, Any]:
    """The request's JSON object. Malformed JSON is a 400; an absent body is an empty object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise MalformedJson("请求体必须是 JSON 对象")
        return {}
    try:
        body = request.get_json(force=True, silent=False)
    except BadRequest as error:
        raise MalformedJson("请求体不是有效的 JSON") from error
    if not isinstance(body, dict):
        raise MalformedJson("请求体必须是 JSON 对象")
    return body


def jsonify_ok(body: Any, status: int = 200):
    return jsonify(body), status


def paging() -> tuple[int, int]:
    from ..services.errors import Invalid
    try:
        limit = int(request.args.get("limit", 50))
        offset = int(request.args.get("offset", 0))
    except ValueError as error:
        raise Invalid("limit/offset 必须是整数", {"limit": ["必须是整数"]}) from error
    if not 1 <= limit <= 500 or offset < 0:
        raise Invalid("limit 须在 1–500 之间，offset 不能为负", {"limit": ["1–500"]})
    return limit, offset


def int_arg(name: str) -> int | None:
    from ..services.errors import Invalid
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as error:
        raise Invalid(f"{name} 必须是整数", {name: ["必须是整数"]}) from error
