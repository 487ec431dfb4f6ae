"""The whole-department self-evaluation's score: the indicator system's categories and their points.

The points of the categories come from the settings: DEPARTMENT_PERFORMANCE_WEIGHTS ("70/30": 履职效能 /
管理效率) and DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT ("50/30/20": how 履职效能's points are shared by 产出 /
效益 / 满意度). An indicator gets its category's points in proportion to its weight among the category's
indicators. The rules that score one indicator against its target (10号: full points when met, points ×
完成值/指标值 below it, the three bands of a qualitative indicator) and the grade bands are the project
self-evaluation's, services/evaluation_scoring.py, called with this process's categories.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import current_app

from ..models.department_performance import EFFICACY, LEVELS, MANAGEMENT

SETTINGS: dict[str, str] = {"DEPARTMENT_PERFORMANCE_WEIGHTS": "70/30",
                            "DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT": "50/30/20"}
EFFICACY_PARTS = LEVELS[EFFICACY]           # 产出, 效益, 满意度
CATEGORIES = (*EFFICACY_PARTS, MANAGEMENT)
CENT = Decimal("0.01")


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


@dataclass
class RowScore:
    points: Decimal          # the indicator's share of its category's points
    score: Decimal           # what it earned


@dataclass
class Scored:
    total: Decimal
    grade: str
    categories: dict[str, dict[str, Decimal]] = field(default_factory=dict)   # category -> {points, score}
    rows: list[RowScore] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"total": str(self.total), "grade": self.grade,
                "categories": {c: {"points": str(v["points"]), "score": str(v["score"])}
                               for c, v in self.categories.items()},
                "rows": [{"points": str(r.points), "score": str(r.score)} for r in self.rows]}


def indicator_points(indicators: list[Mapping[str, Any]]) -> list[Decimal]:
    """Each indicator's points: its category's points shared in proportion to the weights."""
    cats = [str(i["category"]) for i in indicators]
    points = category_points(cats)
    sums: dict[str, Decimal] = {}
    for cat, ind in zip(cats, indicators):
        sums[cat] = sums.get(cat, Decimal(0)) + Decimal(str(ind["weight"]))
    return [(points[cat] * Decimal(str(ind["weight"])) / sums[cat]) if sums[cat] else Decimal(0)
            for cat, ind in zip(cats, indicators)]


class ScoringError(ValueError):
    """A value the score cannot be computed from (a quantitative actual that is not a number, ...)."""


def _number(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _ratio(indicator: Mapping[str, Any], result: Mapping[str, Any]) -> Decimal:
    """The share (0–1) of its points an indicator earns (until evaluation_scoring is merged: 10号's rules)."""
    if indicator["operator"] == "定性":
        achievement = _number(result.get("achievement"))
        if achievement is None or not 0 <= achievement <= 100:
            raise ScoringError("定性指标须给出0–100的完成程度")
        return achievement / 100
    actual, target = _number(result.get("actual")), _number(indicator["target"])
    if actual is None:
        raise ScoringError("定量指标的实际完成值必须是数字")
    if target is None:
        return Decimal(1)
    if indicator["operator"] == ">=":
        return Decimal(1) if actual >= target else (max(actual, Decimal(0)) / target if target > 0 else Decimal(0))
    if indicator["operator"] == "<=":
        return Decimal(1) if actual <= target else (target / actual if actual > 0 and target > 0 else Decimal(0))
    if target == 0:
        return Decimal(1) if actual == 0 else Decimal(0)
    return max(Decimal(0), 1 - abs(actual - target) / abs(target))


def grade_of(total: Decimal) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def score(indicators: list[Mapping[str, Any]], results: list[Mapping[str, Any]]) -> Scored:
    """`indicators`: {"category", "weight", "operator", "target"}; `results`: one per indicator, {"actual",
    "achievement" (定性: the share 0–100 the evaluator gives it)}. Raises ScoringError naming the row."""
    points = indicator_points(indicators)
    rows: list[RowScore] = []
    categories: dict[str, dict[str, Decimal]] = {}
    for number, (indicator, result, p) in enumerate(zip(indicators, results, points)):
        try:
            ratio = min(_ratio(indicator, result), Decimal(1))
        except ScoringError as error:
            raise ScoringError(f"第 {number + 1} 个指标：{error}") from error
        row = RowScore(points=quantize(p), score=quantize(p * ratio))
        rows.append(row)
        cat = categories.setdefault(str(indicator["category"]), {"points": Decimal(0), "score": Decimal(0)})
        cat["points"] += row.points
        cat["score"] += row.score
    total = quantize(sum((r.score for r in rows), Decimal(0)))
    return Scored(total=total, grade=grade_of(total), categories=categories, rows=rows)


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
