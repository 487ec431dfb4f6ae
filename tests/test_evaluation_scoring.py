"""The 自评表 arithmetic (services/evaluation_scoring.py), rule by rule, band edge by band edge.

The same table drives the page's JavaScript (static/js/evaluation-scoring.js) through node when node is
installed, so the live breakdown a filer sees is the one the server stores.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from workflow_app.services import evaluation_scoring as es
from workflow_app.services.evaluation_scoring import Row, ScoringError

D = Decimal
JS = Path(__file__).resolve().parent.parent / "workflow_app" / "static" / "js" / "evaluation-scoring.js"


def score_row(**row):
    """Score one quantitative/qualitative row alone in 产出 of a table with one 效益 row of full marks and a
    满意度 row of full marks: the 产出 row is worth exactly 50 points."""
    rows = [Row(category="产出", weight=1, **row),
            Row(category="效益", weight=1, operator=">=", target=1, actual=1),
            Row(category="满意度", weight=1, operator=">=", target=1, actual=1)]
    return es.score(100, 100, rows).rows[0]


# -- quantitative rows: (operator, target, actual) → (score of 50 points, met, overshoot, needs cause) ----------
QUANTITATIVE = [
    (">=", 100, 100, "50.00", True, False, False),        # met exactly
    (">=", 100, 120, "50.00", True, False, False),        # above, not far above
    (">=", 100, 150, "50.00", True, False, False),        # ratio 1.5 is not above the overshoot ratio
    (">=", 100, "150.01", "25.00", True, True, True),     # far above: 50 × (1 − 0.5001), half up
    (">=", 100, 151, "24.50", True, True, True),          # 50 × (1 − 0.51)
    (">=", 100, 300, "0.00", True, True, True),           # never below 0
    (">=", 100, 80, "40.00", False, False, True),         # 50 × 80/100
    (">=", 100, "99.99", "50.00", False, False, True),    # rounds to full points, still needs a cause
    (">=", 100, "99.9", "49.95", False, False, True),
    (">=", 100, 0, "0.00", False, False, True),
    (">=", 0, 0, "50.00", True, False, False),            # a target of 0 is met by 0 (no division)
    ("<=", 10, 10, "50.00", True, False, False),
    ("<=", 10, 2, "50.00", True, False, False),           # reverse indicator below its ceiling
    ("<=", 10, 20, "25.00", False, False, True),          # 50 × 10/20
    ("<=", 10, "10.01", "49.95", False, False, True),
    ("<=", 0, 5, "0.00", False, False, True),
    ("=", 100, 100, "50.00", True, False, False),
    ("=", 100, 105, "50.00", True, False, False),         # the 5 % tolerance edge, included
    ("=", 100, 95, "50.00", True, False, False),
    ("=", 100, 106, "47.00", False, False, True),         # 50 × (1 − 0.06)
    ("=", 100, 90, "45.00", False, False, True),
    ("=", 100, 300, "0.00", False, False, True),
    ("=", 0, 0, "50.00", True, False, False),
    ("=", 0, 1, "0.00", False, False, True),
]


@pytest.mark.parametrize("operator, target, actual, expected, met, overshoot, cause", QUANTITATIVE)
def test_quantitative_rule(operator, target, actual, expected, met, overshoot, cause):
    row = score_row(kind="quantitative", operator=operator, target=target, actual=actual)
    assert row.points == D("50.00")
    assert (row.score, row.met, row.overshoot, row.needs_cause) == (D(expected), met, overshoot, cause)


def test_tolerance_and_overshoot_ratio_are_parameters():
    rows = [Row("产出", 1, operator="=", target=100, actual=108), Row("效益", 1, target=100, actual=190)]
    strict = es.score(100, 100, rows)
    loose = es.score(100, 100, rows, equal_tolerance="0.1", overshoot_ratio=2)
    assert [r.met for r in strict.rows] == [False, True] and strict.rows[1].overshoot
    assert [r.score for r in loose.rows] == [D("56.25"), D("33.75")]
    assert loose.needs_cause == []


# -- qualitative rows: the share must lie in its level's band --------------------------------------------------
QUALITATIVE_OK = [
    ("达成", 100, "50.00", False), ("达成", 80, "40.00", False), ("达成", "90.5", "45.25", False),
    ("部分达成", "79.99", "40.00", True), ("部分达成", 60, "30.00", True),
    ("未达成", "59.99", "30.00", True), ("未达成", 0, "0.00", True),
]
QUALITATIVE_BAD = [("达成", "79.99"), ("达成", "100.01"), ("部分达成", 80), ("部分达成", "59.99"),
                   ("未达成", 60), ("未达成", -1), ("很好", 90), (None, 90), ("达成", None), ("达成", "abc")]


@pytest.mark.parametrize("level, share, expected, cause", QUALITATIVE_OK)
def test_qualitative_share_within_its_band(level, share, expected, cause):
    row = score_row(kind="qualitative", level=level, share=share)
    assert (row.score, row.needs_cause, row.met) == (D(expected), cause, level == "达成")


@pytest.mark.parametrize("level, share", QUALITATIVE_BAD)
def test_qualitative_share_outside_its_band_is_an_error(level, share):
    with pytest.raises(ScoringError) as raised:
        score_row(kind="qualitative", level=level, share=share)
    assert set(raised.value.fields) <= {"rows.0.level", "rows.0.share"} and raised.value.fields


# -- 预算执行率 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("budget, executed, rate, points", [
    (100, 100, "1.0000", "10.00"), (100, 95, "0.9500", "9.50"), (100, 120, "1.2000", "10.00"),
    (100, 0, "0.0000", "0.00"), ("300", "100", "0.3333", "3.33"), ("200.50", "200.49", "1.0000", "10.00"),
])
def test_budget_execution_points_are_ten_times_the_rate_capped(budget, executed, rate, points):
    result = es.score(budget, executed, [Row("产出", 1, target=1, actual=1), Row("效益", 1, target=1, actual=1)])
    assert (result.execution_rate, result.execution_score, result.execution_points) == (D(rate), D(points), D(10))


@pytest.mark.parametrize("budget, executed, field", [
    (0, 10, "budget"), (None, 10, "budget"), (-5, 1, "budget"), ("x", 1, "budget"),
    (100, None, "executed"), (100, -1, "executed"), (100, "NaN", "executed"),
])
def test_budget_figures_must_be_numbers(budget, executed, field):
    with pytest.raises(ScoringError) as raised:
        es.score(budget, executed, [Row("产出", 1, target=1, actual=1)])
    assert field in raised.value.fields


# -- categories -------------------------------------------------------------------------------------------
def test_categories_split_over_rows_by_weight():
    rows = [Row("产出", 60, target=10, actual=10), Row("产出", 40, target=10, actual=10),
            Row("效益", 30, target=1, actual=1), Row("满意度", 10, target=90, actual=90)]
    result = es.score(100, 100, rows)
    assert [r.points for r in result.rows] == [D(30), D(20), D(30), D(10)]
    assert result.categories == {"产出": {"points": D(50), "score": D(50)}, "效益": {"points": D(30), "score": D(30)},
                                 "满意度": {"points": D(10), "score": D(10)}}
    assert (result.total, result.grade, result.all_rows_full) == (D("100.00"), "优", True)


def test_no_satisfaction_row_moves_its_points_to_output_and_benefit_in_proportion():
    result = es.score(100, 100, [Row("产出", 1, target=1, actual=1), Row("效益", 1, target=1, actual=1)])
    assert [r.points for r in result.rows] == [D("56.25"), D("33.75")]
    assert set(result.categories) == {"产出", "效益"} and result.total == D(100)


def test_any_empty_category_gives_its_points_to_the_others():
    result = es.score(100, 100, [Row("产出", 1, target=1, actual=1), Row("满意度", 1, target=1, actual=1)])
    assert [r.points for r in result.rows] == [D("75.00"), D("15.00")]   # 30 as 50 : 10


def test_points_split_to_the_cent_add_up_exactly():
    rows = [Row("产出", 1, target=1, actual=1) for _ in range(3)] + [Row("效益", 1, target=1, actual=1),
                                                                    Row("满意度", 1, target=1, actual=1)]
    result = es.score(100, 100, rows)
    assert [r.points for r in result.rows[:3]] == [D("16.67"), D("16.67"), D("16.66")]
    assert result.categories["产出"]["score"] == D(50) and result.total == D(100)


def test_other_category_points_for_the_whole_department():
    points = {"预算执行率": 10, "运行成本": 20, "管理效率": 20, "履职效能": 50}
    rows = [Row("运行成本", 1, operator="<=", target=100, actual=125), Row("履职效能", 3, target=10, actual=10),
            Row("履职效能", 1, kind="qualitative", level="部分达成", share=70)]
    result = es.score(100, 90, rows, points)
    # 管理效率 empty: its 20 go to 运行成本 and 履职效能 as 20 : 50 → 25.71 and 64.29.
    assert result.categories["运行成本"] == {"points": D("25.71"), "score": D("20.57")}   # 25.71 × 100/125
    assert [r.points for r in result.rows[1:]] == [D("48.22"), D("16.07")]
    assert result.rows[2].score == D("11.25")                                            # 16.07 × 70 %
    assert result.total == D("9.00") + D("20.57") + D("48.22") + D("11.25")
    assert result.needs_cause == [0, 2]


def test_without_an_execution_category_there_are_no_execution_points():
    result = es.score(None, None, [Row("产出", 1, target=1, actual=1)], {"产出": 100})
    assert (result.execution_rate, result.execution_points, result.total) == (None, D(0), D(100))


@pytest.mark.parametrize("rows, fields", [
    ([], {"rows"}),
    ([Row("决策", 1, target=1, actual=1)], {"rows.0.category"}),
    ([Row("产出", 0, target=1, actual=1)], {"rows.0.weight"}),
    ([Row("产出", "x", target=1, actual=1)], {"rows.0.weight"}),
    ([Row("产出", 1, operator=">", target=1, actual=1)], {"rows.0.operator"}),
    ([Row("产出", 1, kind="other", target=1, actual=1)], {"rows.0.kind"}),
    ([Row("产出", 1, target="≥95%", actual=1)], {"rows.0.target"}),
    ([Row("产出", 1, target=1, actual="")], {"rows.0.actual"}),
    ([Row("产出", 1, target=1, actual=None), Row("效益", 1, target=1, actual=-1)], {"rows.0.actual", "rows.1.actual"}),
])
def test_bad_rows_are_errors_with_their_fields(rows, fields):
    with pytest.raises(ScoringError) as raised:
        es.score(100, 100, rows)
    assert set(raised.value.fields) == fields
    assert all(raised.value.fields.values())


def test_every_problem_is_reported_at_once():
    with pytest.raises(ScoringError) as raised:
        es.score(0, 1, [Row("产出", 1, target=1, actual=None)])
    assert set(raised.value.fields) == {"budget", "rows.0.actual"}


def test_rows_may_be_plain_mappings():
    result = es.score(100, 100, [{"category": "产出", "weight": "2", "kind": "quantitative", "operator": ">=",
                                  "target": "10", "actual": "5", "name": "培训人数", "extra": "ignored"},
                                 {"category": "效益", "weight": 1, "kind": "qualitative", "level": "达成",
                                  "share": 100}])
    assert result.rows[0].name == "培训人数" and result.rows[0].score == D("28.13")   # 56.25 / 2, half up


# -- grade bands ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("total, grade", [
    ("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差"),
])
def test_grade_bands(total, grade):
    assert es.grade_of(total) == grade


def test_a_result_is_graded_from_its_total():
    rows = [Row("产出", 1, target=100, actual=80), Row("效益", 1, target=1, actual=1), Row("满意度", 1, target=1, actual=1)]
    result = es.score(100, 90, rows)
    assert (result.total, result.grade) == (D("89.00"), "良")   # 9 + 40 + 30 + 10
    assert result.needs_cause == [0] and not result.all_rows_full
    assert result.as_dict()["total"] == 89.0 and result.as_dict()["rows"][0]["needs_cause"] is True


# -- the page's JavaScript gives the same results --------------------------------------------------------------
JS_CASES = [
    {"budget": 100, "executed": 95, "rows": [
        {"category": "产出", "weight": 1, "kind": "quantitative", "operator": op, "target": t, "actual": a},
        {"category": "效益", "weight": 1, "kind": "quantitative", "operator": ">=", "target": 1, "actual": 1}]}
    for op, t, a, *_ in QUANTITATIVE
] + [
    {"budget": 300, "executed": 100, "rows": [
        {"category": "产出", "weight": 1, "kind": "qualitative", "level": lv, "share": sh},
        {"category": "产出", "weight": 2, "kind": "quantitative", "operator": "<=", "target": 10, "actual": 13},
        {"category": "满意度", "weight": 1, "kind": "quantitative", "operator": "=", "target": 90, "actual": 80}]}
    for lv, sh, *_ in QUALITATIVE_OK
] + [
    {"budget": 100, "executed": 100, "points": {"预算执行率": 10, "运行成本": 20, "管理效率": 20, "履职效能": 50},
     "rows": [{"category": "运行成本", "weight": 1, "kind": "quantitative", "operator": "<=", "target": 100,
               "actual": 125},
              {"category": "履职效能", "weight": 3, "kind": "quantitative", "operator": ">=", "target": 10, "actual": 10},
              {"category": "履职效能", "weight": 1, "kind": "qualitative", "level": "部分达成", "share": 70}]},
    {"budget": 100, "executed": 100, "rows": [{"category": "产出", "weight": 1, "kind": "quantitative",
                                               "operator": ">=", "target": 1, "actual": 1}] * 3},
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_script_scores_like_the_server():
    script = f"""
const s = require({json.dumps(str(JS))});
const cases = {json.dumps(JS_CASES, ensure_ascii=False)};
console.log(JSON.stringify(cases.map(c => s.score(c.budget, c.executed, c.rows, c.points || null,
                                                  {{equalTolerance: 0.05, overshootRatio: 1.5}}))));
"""
    output = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30).stdout
    for case, js in zip(JS_CASES, json.loads(output)):
        py = es.score(case["budget"], case["executed"], [Row(**r) for r in case["rows"]], case.get("points"))
        expected = py.as_dict()
        assert js["total"] == expected["total"], case
        assert js["grade"] == expected["grade"]
        assert [r["points"] for r in js["rows"]] == [r["points"] for r in expected["rows"]]
        assert [r["score"] for r in js["rows"]] == [r["score"] for r in expected["rows"]]
        assert [r["needs_cause"] for r in js["rows"]] == [r["needs_cause"] for r in expected["rows"]]
        assert js["execution_score"] == expected["execution_score"]
