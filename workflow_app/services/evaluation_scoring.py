"""The arithmetic of a performance self-evaluation (自评表), in one place: 财预〔2020〕10号 附件1.

Pure Python on plain values (no database, no Flask), so the project self-evaluation, the finance re-check and
the whole-department self-evaluation (部门整体绩效, other categories) all score with it, and the tests drive
every rule from a table. The page shows the same breakdown live (static/js/evaluation-scoring.js mirrors these
rules); the server always recomputes with this module and stores only its result.

The rules:

* 预算执行率: its points (default 10) × 执行率 (全年执行数 / 全年预算数), capped at its points.
* Every other category (default 产出 50, 效益 30, 满意度 10) splits its points over its rows by their weights.
  A category without rows gives its points to the other categories that have rows, in proportion to their
  points (no 满意度 indicator → its 10 go to 产出 and 效益 as 50 : 30).
* Quantitative rows:
  ``≥`` met → full points, else points × actual / target;
  ``≤`` met → full points, else points × target / actual;
  ``=`` within the tolerance (relative, default 5 %) → full points, else points × (1 − relative deviation);
  a ``≥`` row far above its target (actual / target above the overshoot ratio, default 1.5: the target was set
  too low) → points × (1 − relative deviation), and a deviation cause is required.
  Never below 0, never above the row's points (no bonus points).
* Qualitative rows: the filer picks a level and a share of the row's points within the level's band:
  达成 100–80 % (80 included), 部分达成 below 80 down to 60 % (60 included), 未达成 below 60 down to 0 %.
* Every row that did not earn its full points (or overshot) needs a 偏差原因分析及改进措施.
* Total = 预算执行率 points + the categories' subtotals, two places; 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差.

Points are split to the cent so that the parts add up exactly (largest remainder: 50 over three equal rows is
16.67 + 16.67 + 16.66); a row's score is rounded to two places (half up); subtotals and the total are sums of
the rounded figures, so the table a person reads adds up exactly.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

EXECUTION = "预算执行率"
OUTPUT, BENEFIT, SATISFACTION = "产出", "效益", "满意度"
# 财预〔2020〕10号: 预算执行率 10 %, 产出 50 %, 效益 30 %, 满意度 10 %.
DEFAULT_CATEGORY_POINTS: Mapping[str, Decimal] = {
    EXECUTION: Decimal(10), OUTPUT: Decimal(50), BENEFIT: Decimal(30), SATISFACTION: Decimal(10)}
DEFAULT_EQUAL_TOLERANCE = Decimal("0.05")     # setting EVALUATION_EQUAL_TOLERANCE (a share: 0.05 = 5 %)
DEFAULT_OVERSHOOT_RATIO = Decimal("1.5")      # setting EVALUATION_OVERSHOOT_RATIO

QUANTITATIVE, QUALITATIVE = "quantitative", "qualitative"
OPERATORS = (">=", "<=", "=")
ACHIEVED, PARTLY, NOT_ACHIEVED = "达成", "部分达成", "未达成"
# Level → (lowest share included, highest share, whether the highest is included), in per cent.
LEVEL_BANDS: Mapping[str, tuple[Decimal, Decimal, bool]] = {
    ACHIEVED: (Decimal(80), Decimal(100), True),
    PARTLY: (Decimal(60), Decimal(80), False),
    NOT_ACHIEVED: (Decimal(0), Decimal(60), False),
}
# Grade bands (the same for 单位自评, 部门评价 and 财政评价): lowest total of each grade, best first.
GRADE_BANDS: tuple[tuple[str, Decimal], ...] = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)),
                                                ("差", Decimal(0)))


class ScoringError(ValueError):
    """The input does not fit the rules; `fields` maps a field path (``rows.2.actual``) to its messages."""

    def __init__(self, fields: Mapping[str, list[str]]):
        self.fields = {key: list(messages) for key, messages in fields.items()}
        super().__init__("；".join(f"{key}: {'，'.join(messages)}" for key, messages in self.fields.items()))


@dataclass(frozen=True)
class Row:
    """One indicator row of the 自评表. `share` is the per-cent share of a qualitative row's points."""
    category: str
    weight: Decimal | int | float | str
    kind: str = QUANTITATIVE
    operator: str = ">="
    target: Decimal | int | float | str | None = None
    actual: Decimal | int | float | str | None = None
    level: str | None = None
    share: Decimal | int | float | str | None = None
    name: str = ""


@dataclass(frozen=True)
class RowScore:
    index: int
    name: str
    category: str
    points: Decimal        # what the row can earn (its share of the category), two places
    score: Decimal         # what it earned, two places
    met: bool              # reached its target (quantitative: inside the rule's full-marks range; qualitative: 达成)
    overshoot: bool        # far above its target: points cut, reason required
    needs_cause: bool      # a 偏差原因分析及改进措施 is required


@dataclass(frozen=True)
class Result:
    execution_rate: Decimal | None      # 全年执行数 / 全年预算数 as a share, four places (None without the category)
    execution_points: Decimal
    execution_score: Decimal
    rows: list[RowScore]
    categories: dict[str, dict[str, Decimal]]   # category → {"points", "score"}, execution excluded
    total: Decimal
    grade: str
    needs_cause: list[int] = field(default_factory=list)   # indexes of rows that need a deviation cause

    @property
    def all_rows_full(self) -> bool:
        """Every indicator row earned its full points (with no problem text: a candidate for re-check)."""
        return all(row.score == row.points for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (numbers as strings with two places would confuse clients: floats of two places)."""
        return {
            "execution_rate": None if self.execution_rate is None else float(self.execution_rate),
            "execution_points": float(self.execution_points), "execution_score": float(self.execution_score),
            "rows": [{"index": r.index, "name": r.name, "category": r.category, "points": float(r.points),
                      "score": float(r.score), "met": r.met, "overshoot": r.overshoot,
                      "needs_cause": r.needs_cause} for r in self.rows],
            "categories": {name: {"points": float(v["points"]), "score": float(v["score"])}
                           for name, v in self.categories.items()},
            "total": float(self.total), "grade": self.grade, "needs_cause": list(self.needs_cause),
            "all_rows_full": self.all_rows_full,
        }


def grade_of(total: Decimal | int | float | str) -> str:
    value = Decimal(str(total))
    for grade, lowest in GRADE_BANDS:
        if value >= lowest:
            return grade
    return GRADE_BANDS[-1][0]


def level_of_share(share: Decimal) -> str | None:
    """The qualitative level whose band holds `share` (per cent), None outside 0–100."""
    for level, (low, high, high_included) in LEVEL_BANDS.items():
        if low <= share < high or (high_included and share == high):
            return level
    return None


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, ROUND_HALF_UP)


def apportion(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split `total` (two places) in proportion to `shares` into two-place parts that add up to it exactly:
    every part rounded down to the cent, the cents left over to the largest remainders (ties: the earlier)."""
    cents = int(_q(total) * 100)
    whole = sum(shares, Decimal(0))
    exact = [Decimal(cents) * share / whole for share in shares]
    parts = [int(value) for value in exact]            # shares are positive: int() rounds down
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:cents - sum(parts)]:
        parts[i] += 1
    return [(Decimal(part) / 100).quantize(TWO_PLACES) for part in parts]


def _number(value: Any) -> Decimal | None:
    """A finite Decimal, or None when the value is missing or not a number."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def score(budget: Any, executed: Any, rows: Iterable[Row | Mapping[str, Any]],
          category_points: Mapping[str, Any] | None = None, *,
          equal_tolerance: Any = DEFAULT_EQUAL_TOLERANCE, overshoot_ratio: Any = DEFAULT_OVERSHOOT_RATIO) -> Result:
    """Score a 自评表. Raises ScoringError (with every problem at once) when the input does not fit."""
    errors: dict[str, list[str]] = {}
    points_of = {str(k): _number(v) for k, v in (category_points or DEFAULT_CATEGORY_POINTS).items()}
    for name, value in points_of.items():
        if value is None or value < 0:
            errors.setdefault(f"category_points.{name}", []).append("分值须为不小于 0 的数")
    tolerance, overshoot = _number(equal_tolerance), _number(overshoot_ratio)
    if tolerance is None or tolerance < 0:
        errors.setdefault("equal_tolerance", []).append("容差须为不小于 0 的数")
    if overshoot is None or overshoot <= 1:
        errors.setdefault("overshoot_ratio", []).append("超额比例须大于 1")
    rows = [row if isinstance(row, Row) else Row(**{k: v for k, v in row.items() if k in Row.__dataclass_fields__})
            for row in rows]

    # 预算执行率
    execution_rate: Decimal | None = None
    execution_points = points_of.get(EXECUTION) or Decimal(0)
    execution_score = Decimal(0)
    if EXECUTION in points_of:
        budget_n, executed_n = _number(budget), _number(executed)
        if budget_n is None or budget_n <= 0:
            errors.setdefault("budget", []).append("全年预算数须为大于 0 的数")
        if executed_n is None or executed_n < 0:
            errors.setdefault("executed", []).append("全年执行数须为不小于 0 的数")
        if not errors.get("budget") and not errors.get("executed"):
            execution_rate = (executed_n / budget_n).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            execution_score = _q(min(execution_points, execution_points * executed_n / budget_n))

    # The categories' points after moving an empty category's points to the others.
    indicator_categories = [name for name in points_of if name != EXECUTION]
    weights: list[Decimal] = []
    for index, row in enumerate(rows):
        if row.category not in indicator_categories:
            errors.setdefault(f"rows.{index}.category", []).append(
                f"指标类别须为{'、'.join(indicator_categories)}之一")
        weight = _number(row.weight)
        if weight is None or weight <= 0:
            errors.setdefault(f"rows.{index}.weight", []).append("权重须为大于 0 的数")
            weight = Decimal(0)
        weights.append(weight)
    if not rows:
        errors.setdefault("rows", []).append("至少需要一个绩效指标")
    if any(key not in ("budget", "executed") for key in errors):   # the rows cannot be given points
        raise ScoringError(errors)
    used = [name for name in indicator_categories if any(row.category == name for row in rows)]
    indicator_points = sum((points_of[name] for name in indicator_categories), Decimal(0))
    used_points = [points_of[name] for name in used]
    if not any(used_points):   # only categories of 0 points have rows: share the points equally
        used_points = [Decimal(1)] * len(used)
    category_total = dict(zip(used, apportion(indicator_points, used_points)))
    row_points: list[Decimal] = [Decimal(0)] * len(rows)
    for name in used:
        members = [i for i, row in enumerate(rows) if row.category == name]
        for i, points in zip(members, apportion(category_total[name], [weights[i] for i in members])):
            row_points[i] = points

    scored: list[RowScore] = []
    for index, row in enumerate(rows):
        row_score = _score_row(index, row, row_points[index], tolerance, overshoot, errors)
        if row_score is not None:
            scored.append(row_score)
    if errors:
        raise ScoringError(errors)

    categories = {name: {"points": _q(category_total[name]),
                         "score": sum((r.score for r in scored if r.category == name), Decimal(0))}
                  for name in used}
    total = execution_score + sum((c["score"] for c in categories.values()), Decimal(0))
    return Result(execution_rate, _q(execution_points), execution_score, scored, categories, _q(total),
                  grade_of(total), [r.index for r in scored if r.needs_cause])


def _score_row(index: int, row: Row, points: Decimal, tolerance: Decimal, overshoot_ratio: Decimal,
               errors: dict[str, list[str]]) -> RowScore | None:
    def fail(name: str, message: str) -> None:
        errors.setdefault(f"rows.{index}.{name}", []).append(message)

    earned: Decimal
    met = overshoot = False
    if row.kind == QUALITATIVE:
        share = _number(row.share)
        if row.level not in LEVEL_BANDS:
            fail("level", f"定性指标的完成情况须为{'、'.join(LEVEL_BANDS)}之一")
            return None
        if share is None:
            fail("share", "请填写得分比例（%）")
            return None
        low, high, high_included = LEVEL_BANDS[row.level]
        if level_of_share(share) != row.level:
            upper = "（含）" if high_included else "（不含）"
            fail("share", f"“{row.level}”的得分比例须在 {low}%（含）至 {high}%{upper} 之间")
            return None
        earned = points * share / HUNDRED
        met = row.level == ACHIEVED
        needs_cause = not met
    elif row.kind == QUANTITATIVE:
        target, actual = _number(row.target), _number(row.actual)
        if row.operator not in OPERATORS:
            fail("operator", "定量指标的比较方式须为 ≥、≤ 或 =")
            return None
        if target is None or target < 0:
            fail("target", "定量指标的年度指标值须为不小于 0 的数")
        if actual is None or actual < 0:
            fail("actual", "请填写实际完成值（不小于 0 的数）")
        if target is None or actual is None or target < 0 or actual < 0:
            return None
        earned, met, overshoot = _quantitative(row.operator, target, actual, points, tolerance, overshoot_ratio)
        needs_cause = not met or overshoot
    else:
        fail("kind", "指标性质须为定量或定性")
        return None
    earned = max(Decimal(0), min(points, earned))
    rounded_points, rounded = _q(points), _q(earned)
    return RowScore(index, row.name, row.category, rounded_points, rounded, met, overshoot, needs_cause)


def _quantitative(operator: str, target: Decimal, actual: Decimal, points: Decimal, tolerance: Decimal,
                  overshoot_ratio: Decimal) -> tuple[Decimal, bool, bool]:
    """(points earned before capping, met, overshoot) of one quantitative row."""
    if operator == ">=":
        if actual < target:
            return points * actual / target, False, False
        if target > 0 and actual / target > overshoot_ratio:
            return points * (1 - (actual - target) / target), True, True
        return points, True, False
    if operator == "<=":
        if actual <= target:
            return points, True, False
        return points * target / actual, False, False
    # "=": a relative tolerance around the target; a target of 0 is met only by 0.
    if target == 0:
        return (points, True, False) if actual == 0 else (Decimal(0), False, False)
    deviation = abs(actual - target) / target
    if deviation <= tolerance:
        return points, True, False
    return points * (1 - deviation), False, False
