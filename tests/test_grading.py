"""The joint review's formula lives in one place (workflow_app/grading.py); the BPMN scripts only call it."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workflow_app import grading

from .test_properties import oracle

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
RULES = {"优": 95, "良": 85, "中": 70, "差": 50, "财政权重": 0.4, "主管部门权重": 0.2, "专家权重": 0.4}


@pytest.mark.parametrize("finance, authority, totals", [
    ("优", "中", [95]), ("优", "优", [47, 100, 100]), ("差", "优", [100, 100, 100]), ("良", "差", [82, 83]),
    ("中", "良", [0, 72, 100]), ("优", "优", [0, 0, 22]),
])
def test_the_formula_gives_the_rules_scores(finance, authority, totals):
    expert_score, score, _grade = oracle(finance, authority, totals)
    mean = grading.expert_mean({"total": t} for t in totals)
    assert mean == float(expert_score)
    items, values = list(RULES), list(RULES.values())
    assert grading.review_score(items, values, finance, authority, mean) == float(score)
    assert grading.weighted_score(grading.rules_of(items, values), finance, authority, mean) == float(score)


def test_no_expert_review_is_an_error_not_a_division_by_zero():
    with pytest.raises(ValueError):
        grading.expert_mean([])


def test_no_bpmn_script_spells_out_arithmetic():
    """Scripts move data between lookups; sums, means, weights and rounding are grading.py's."""
    namespace = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    arithmetic = re.compile(r"\b(round|sum)\s*\(|[^=!<>]\s[*/]\s")
    for path in sorted(BPMN.glob("*.bpmn")):
        for script in ET.parse(path).getroot().iterfind(".//bpmn:script", namespace):
            code = "\n".join(line.split("#", 1)[0] for line in (script.text or "").splitlines())
            assert not arithmetic.search(code), f"{path.name}: arithmetic in a script:\n{script.text}"
