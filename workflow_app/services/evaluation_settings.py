"""The performance evaluation's settings (README), read on use like the other processes' settings.

Shared by the project self-evaluation, the finance re-check and the whole-department self-evaluation: the app's
config when it names the setting (tests, an embedding app), else the environment, else the default.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any


from . import process_settings

SETTINGS: dict[str, str] = {
    # "=" indicators: within this relative deviation (per cent) from the target the row earns full points.
    "EVALUATION_EQUAL_TOLERANCE": "5",
    # A "≥" indicator whose actual value exceeds the target more than this ratio had a target set too low.
    "EVALUATION_OVERSHOOT_RATIO": "1.5",
    # Projects from this amount (万元) on are self-evaluated in a round (0: every project with approved goals).
    "EVALUATION_MIN_AMOUNT": "0",
    # The finance re-check samples this share (per cent) of a round's self-evaluations unless a count is given.
    "EVALUATION_RECHECK_SHARE": "20",
}


def setting(name: str) -> Decimal:
    return process_settings.read(name, SETTINGS)


def scoring_options() -> dict[str, Any]:
    """The keyword arguments of evaluation_scoring.score for this deployment."""
    return {"equal_tolerance": setting("EVALUATION_EQUAL_TOLERANCE") / 100,
            "overshoot_ratio": setting("EVALUATION_OVERSHOOT_RATIO")}
