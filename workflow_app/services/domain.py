"""Imports the domain modules so that their process hooks are registered."""
from . import goal_review, rectification  # noqa: F401
