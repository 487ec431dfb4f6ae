"""The JSON API of API.md. Views are thin: parse input, call one service, render JSON."""
from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The generic API; each process's own endpoints are imported by its module (workflow_app/processes/,
# `api_views`) before the blueprint is registered.
from . import errors, auth, processes, tasks, projects, actions, disclosure, execution, openapi  # noqa: E402,F401
