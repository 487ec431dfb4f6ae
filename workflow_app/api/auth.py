"""Bearer-token authentication of the API, and the token and identity endpoints."""
from __future__ import annotations

from flask import current_app, g, request

from ..extensions import limiter, login_attempt_key
from ..models import User
from ..services import auth as auth_service
from ..services.errors import DomainError
from . import api_bp
from .errors import error_response
from .util import json_body, jsonify_ok

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi_document", "api.public_documents", "api.public_document_pdf"}


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


@api_bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = auth_service.user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        return error_response(401, "unauthorized", "未登录或令牌无效")
    g.api_user = user
    g.api_token = token.strip()
    return None


def current_actor() -> User:
    return g.api_user


@api_bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], key_func=login_attempt_key,
               deduct_when=lambda response: response.status_code == 401)
def issue_token():
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error_response(422, "validation_failed", "需要用户名和密码",
                              {k: ["必填"] for k in ("username", "password") if not isinstance(body.get(k), str)})
    user = auth_service.authenticate(username, password)
    if user is None:
        return error_response(401, "unauthorized", "用户名或密码错误")
    token, row = auth_service.issue_token(user)
    return jsonify_ok({"token": token, "expires_at": row.expires_at.isoformat()})


@api_bp.delete("/auth/token")
def revoke_token():
    auth_service.revoke_token(g.api_token)
    return jsonify_ok({"revoked": True})


@api_bp.get("/me")
def me():
    user = current_actor()
    return jsonify_ok({"username": user.username, "name": user.name, "roles": user.roles,
                       "department": user.department_code})
