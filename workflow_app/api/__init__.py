"""The JSON API of API.md. Views are thin: parse input, call one service, render JSON."""
from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import errors, auth, processes, tasks, projects, rectifications, actions, openapi  # noqa: E402,F401
