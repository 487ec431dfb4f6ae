"""The API's error format, in one place: {"error", "message", "fields"}."""
from __future__ import annotations

import logging

from flask import jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..services.errors import DomainError
from . import api_bp

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
    body: dict[str, object] = {"error": code, "message": message}
    if status == 422:
        body["fields"] = fields or {}
    return jsonify(body), status


@api_bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return error_response(error.status, error.code, error.message, error.fields)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
               422: "validation_failed", 429: "too_many_requests"}


@api_bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    return error_response(status, _HTTP_CODES.get(status, "error"), error.description or error.name)


@api_bp.errorhandler(OperationalError)
def _database_down(error: OperationalError):
    db.session.rollback()
    log.warning("database unavailable: %s", error)
    return error_response(503, "unavailable", "数据库暂时不可用，请稍后再试")
