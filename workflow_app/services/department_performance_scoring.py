"""The whole-department self-evaluation's score: the indicator system's categories and their points.

The points of the categories come from the settings: DEPARTMENT_PERFORMANCE_WEIGHTS ("70/30": 履职效能 /
管理效率) and DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT ("50/30/20": how 履职效能's points are shared by 产出 /
效益 / 满意度). An indicator gets its category's points in proportion to its weight among the category's
indicators. Everything else is the project self-evaluation's engine, services/evaluation_scoring.py, called
with this process's categories (no separate 预算执行率 item: 预算执行 is a 管理效率 indicator here): the rules
that score one indicator against its target, the qualitative bands (a qualitative indicator's 完成程度 is the
share of its points; its level 达成/部分达成/未达成 follows from the band it falls in), who must give a 偏差原因,
the rounding and the grade bands.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app

from . import evaluation_scoring
from .evaluation_settings import scoring_options

from ..models.department_performance import EFFICACY, LEVELS, MANAGEMENT

SETTINGS: dict[str, str] = {"DEPARTMENT_PERFORMANCE_WEIGHTS": "70/30",
                            "DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT": "50/30/20"}
EFFICACY_PARTS = LEVELS[EFFICACY]           # 产出, 效益, 满意度
CATEGORIES = (*EFFICACY_PARTS, MANAGEMENT)


class SettingError(ValueError):
    pass


def _setting(name: str) -> str:
    value = current_app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name) or SETTINGS[name]
    return str(value)


def _parts(name: str, count: int) -> list[Decimal]:
    raw = _setting(name)
    try:
        parts = [Decimal(p.strip()) for p in raw.split("/")]
    except InvalidOperation as error:
        raise SettingError(f"setting {name} is not numbers separated by '/': {raw!r}") from error
    if len(parts) != count or any(not p.is_finite() or p < 0 for p in parts) or sum(parts) <= 0:
        raise SettingError(f"setting {name} needs {count} non-negative numbers separated by '/': {raw!r}")
    return parts


def weights() -> tuple[Decimal, Decimal]:
    """(履职效能, 管理效率) out of 100."""
    efficacy, management = _parts("DEPARTMENT_PERFORMANCE_WEIGHTS", 2)
    total = efficacy + management
    return efficacy * 100 / total, management * 100 / total


def category_points(present: Iterable[str] | None = None) -> dict[str, Decimal]:
    """Points of each scoring category, out of 100. `present`: the categories the goals have indicators in;
    the points of a missing 履职效能 part go to the present ones in proportion (as 10号 moves a missing 满意度's
    10 points to 产出 and 效益)."""
    efficacy, management = weights()
    split = dict(zip(EFFICACY_PARTS, _parts("DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT", 3)))
    if present is not None:
        present = set(present)
        kept = {k: v for k, v in split.items() if k in present and v > 0}
        split = kept or split
    total_split = sum(split.values())
    points = {part: (efficacy * share / total_split) for part, share in split.items()}
    points[MANAGEMENT] = management
    return points


def _rows(indicators: list[Mapping[str, Any]], results: list[Mapping[str, Any]] | None = None
          ) -> list[evaluation_scoring.Row]:
    rows = []
    for n, indicator in enumerate(indicators):
        result = (results[n] if results is not None else {}) or {}
        qualitative = indicator["operator"] == "定性"
        share = evaluation_scoring._number(result.get("achievement")) if qualitative else None
        rows.append(evaluation_scoring.Row(
            category=str(indicator["category"]), weight=indicator["weight"],
            kind=evaluation_scoring.QUALITATIVE if qualitative else evaluation_scoring.QUANTITATIVE,
            operator=">=" if qualitative else indicator["operator"],
            target=None if qualitative else indicator["target"], actual=None if qualitative else result.get("actual"),
            level=evaluation_scoring.level_of_share(share) if share is not None else None,
            share=share, name=str(indicator.get("name", ""))))
    return rows


def _points_for(indicators: list[Mapping[str, Any]]) -> dict[str, Decimal]:
    return category_points(str(i["category"]) for i in indicators)


def indicator_points(indicators: list[Mapping[str, Any]]) -> list[Decimal]:
    """Each indicator's points, split as evaluation_scoring.score splits them (its `apportion`: to the cent,
    the parts adding up exactly): the categories' points, then each category's over its indicators' weights."""
    points_of = _points_for(indicators)
    used = [c for c in points_of if any(str(i["category"]) == c for i in indicators)]
    totals = dict(zip(used, evaluation_scoring.apportion(sum(points_of.values(), Decimal(0)),
                                                          [points_of[c] for c in used])))
    result: list[Decimal] = [Decimal(0)] * len(indicators)
    for category in used:
        members = [n for n, i in enumerate(indicators) if str(i["category"]) == category]
        shares = evaluation_scoring.apportion(totals[category], [Decimal(str(indicators[n]["weight"])) for n in members])
        for n, points in zip(members, shares):
            result[n] = points
    return result


def score(indicators: list[Mapping[str, Any]], results: list[Mapping[str, Any]]) -> evaluation_scoring.Result:
    """`indicators`: {"category", "weight", "operator", "target", "name"}; `results`: one per indicator,
    {"actual", "achievement" (定性: 完成程度 0–100)}. Raises evaluation_scoring.ScoringError with field paths
    `rows.<n>.<field>`."""
    return evaluation_scoring.score(None, None, _rows(indicators, results), _points_for(indicators),
                                    **scoring_options())


def breakdown_json(result: evaluation_scoring.Result) -> dict[str, Any]:
    """What the case keeps: total, grade, per category and per row, exact decimals as strings."""
    return {"total": str(result.total), "grade": result.grade,
            "categories": {c: {"points": str(v["points"]), "score": str(v["score"])}
                           for c, v in result.categories.items()},
            "rows": [{"points": str(r.points), "score": str(r.score), "met": r.met, "overshoot": r.overshoot,
                      "needs_cause": r.needs_cause} for r in result.rows]}
