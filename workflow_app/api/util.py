"""Small helpers shared by the API views."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import jsonify, request

from ..services.errors import DomainError, Invalid


class MalformedJson(DomainError):
    status = 400
    code = "bad_request"


MAX_ID = 2**31 - 1


def _checked(value: Any, path: str = "") -> Any:
    """Refuse what no database column can hold (NUL characters, integers beyond 64 bits) and turn each
    fractional number, read as the exact Decimal it was written as, into the float that prints as the same
    digits. A number no float holds exactly (more than about 15 significant digits: "120.3500000000000001")
    is refused rather than silently rounded, so an amount's digits reach its validation exactly as sent and
    `str()` of the value is its text (money is a JSON number by contract: see json_provider)."""
    where = path or "body"
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid("文本中不能含有 NUL 字符", {where: ["不能含有 NUL 字符"]})
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise Invalid("整数超出范围", {where: ["整数超出范围"]})
        return value
    if isinstance(value, Decimal):
        number = float(value)
        if Decimal(repr(number)) != value:
            raise Invalid("数字的有效位数过多，无法精确保存", {where: ["有效位数过多（最多15位）"]})
        return number
    if isinstance(value, dict):
        for key in value:
            _checked(key, path)
        return {key: _checked(item, f"{path}.{key}" if path else str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_checked(item, f"{path}.{index}" if path else str(index)) for index, item in enumerate(value)]
    return value


def json_body(required: bool = False) -> dict[str, Any]:
    """The request's JSON object. Malformed JSON is a 400; an absent body is an empty object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise MalformedJson("请求体必须是 JSON 对象")
        return {}
    try:
        # The standard library keeps integers beyond 64 bits exact (for _checked to refuse), and fractions
        # are read as Decimals: their digits exactly as written.
        body = json.loads(raw, parse_float=Decimal)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, nesting too deep
        raise MalformedJson("请求体不是有效的 JSON") from error
    if not isinstance(body, dict):
        raise MalformedJson("请求体必须是 JSON 对象")
    return _checked(body)


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
