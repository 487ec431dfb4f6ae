"""The arithmetic of the ex-ante score, in one place (the task form validates with it, the service stores it).

Each sub-item earns `SUB_ITEM_POINTS × ratio(grade)`, the ratio read from the DMN table
bpmn/ex_ante_scoring.dmn (优/良/中/差 → share of the points); a dimension is the sum of its sub-items
(20 at most), the total the sum of the five (100 at most). The conclusion compares the total with the
bureau's cut-offs (settings EX_ANTE_SUPPORT_MIN, EX_ANTE_PARTIAL_MIN): ≥ support → 予以支持,
≥ partial → 部分支持 (with conditions), below → 不予支持.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..models.ex_ante import DIMENSIONS, SUB_ITEM_POINTS, SUB_ITEMS

TWO_PLACES = Decimal("0.01")


class ScoringError(ValueError):
    """The grading table or the grades do not fit (a grade the table does not know, a sub-item missing)."""


@dataclass(frozen=True)
class Score:
    dimensions: dict[str, Decimal]   # dimension code → points (0–20)
    total: Decimal                   # 0–100, two places


def ratio_table(names: object, ratios: object) -> dict[str, Decimal]:
    """The COLLECT result of the DMN (two parallel lists) as grade → ratio; a ratio must lie in [0, 1]."""
    if not isinstance(names, list) or not isinstance(ratios, list) or len(names) != len(ratios) or not names:
        raise ScoringError("评分规则表没有给出等级和得分比例")
    table: dict[str, Decimal] = {}
    for name, ratio in zip(names, ratios):
        value = Decimal(str(ratio))
        if not Decimal(0) <= value <= Decimal(1):
            raise ScoringError(f"评分规则表中等级“{name}”的得分比例 {ratio} 不在 0–1 之间")
        table.setdefault(str(name), value)   # the first row of a grade wins, as in the table's order
    return table


def score(sub_grades: Mapping[str, str], ratios: Mapping[str, Decimal | float | str]) -> Score:
    missing = [key for key in SUB_ITEMS if key not in sub_grades]
    if missing:
        raise ScoringError(f"缺少评分小项：{', '.join(missing)}")
    dimensions: dict[str, Decimal] = {}
    for code, spec in DIMENSIONS.items():
        points = Decimal(0)
        for item in spec["items"]:
            grade = sub_grades[f"{code}.{item}"]
            if grade not in ratios:
                raise ScoringError(f"评分规则表中没有等级“{grade}”")
            points += Decimal(SUB_ITEM_POINTS) * Decimal(str(ratios[grade]))
        dimensions[code] = points.quantize(TWO_PLACES, ROUND_HALF_UP)
    return Score(dimensions, sum(dimensions.values(), Decimal(0)).quantize(TWO_PLACES, ROUND_HALF_UP))


def conclusion(total: Decimal, support_min: Decimal, partial_min: Decimal) -> str:
    if total >= support_min:
        return "support"
    if total >= partial_min:
        return "partial"
    return "reject"
