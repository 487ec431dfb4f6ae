"""Small helpers shared by the API views."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import BadRequest

from ..services.errors import DomainError, Invalid


class MalformedJson(DomainError):
    status = 400
    code = "bad_request"


MAX_ID = 2**31 - 1


def _check_values(value: Any, path: str = "") -> None:
    """Refuse what no database column can hold: NUL characters and integers beyond 64 bits."""
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid("文本中不能含有 NUL 字符", {path or "body": ["不能含有 NUL 字符"]})
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise Invalid("整数超出范围", {path or "body": ["整数超出范围"]})
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, path)
            _check_values(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, f"{path}.{index}" if path else str(index))


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
    _check_values(body)
    return body


def jsonify_ok(body: Any, status: int = 200):
    return jsonify(body), status


def paging() -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit", 50))
        offset = int(request.args.get("offset", 0))
    except ValueError as error:
        raise Invalid("limit/offset 必须是整数", {"limit": ["必须是整数"]}) from error
    if not 1 <= limit <= 500 or not 0 <= offset <= MAX_ID:
        raise Invalid("limit 须在 1–500 之间，offset 不能为负", {"limit": ["1–500"]})
    return limit, offset


def int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError as error:
        raise Invalid(f"{name} 必须是整数", {name: ["必须是整数"]}) from error
    if not -MAX_ID <= number <= MAX_ID:
        raise Invalid(f"{name} 超出范围", {name: ["超出范围"]})
    return number
