"""The arithmetic of the joint review's grade, in one place.

The *numbers* are the bureau's and live in bpmn/review_grading.dmn (points per grade 优/良/中/差, the three
weights, the grade bands); this module holds the *formula* that combines them:

    expert score = the mean of the experts' totals (four items, 0–100 each expert), to two decimals
    review score = finance points × finance weight + competent department points × its weight
                   + expert score × expert weight, to two decimals

BPMN scripts call it through the `grading` helper of the script environment (engine/scripting.py) and only
move data between the DMN lookups; pure functions on plain values, so services and tests may call it too.
Floats and `round(x, 2)` as the model always computed, so every stored score stays what it was.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType, SimpleNamespace
from typing import Any

# Row names of the DMN's "分值与权重" part (points are keyed by the grade itself: 优/良/中/差).
FINANCE_WEIGHT = "财政权重"
AUTHORITY_WEIGHT = "主管部门权重"
EXPERT_WEIGHT = "专家权重"


def expert_mean(expert_reviews: Iterable[Mapping[str, Any]]) -> float:
    """The experts' mean total, to two decimals (each review's `total` is 0–100)."""
    totals = [review["total"] for review in expert_reviews]
    if not totals:
        raise ValueError("no expert review to average")
    return round(sum(totals) / len(totals), 2)


def rules_of(items: Sequence[str], values: Sequence[Any]) -> Mapping[str, Any]:
    """The DMN's "分值与权重" rows (its COLLECT output: item names and values) as one read-only mapping."""
    return MappingProxyType(dict(zip(items, values)))


def weighted_score(rules: Mapping[str, Any], finance_grade: str, authority_grade: str, expert_score: float) -> float:
    """40 % finance + 20 % competent department + 40 % experts (the weights and points are the DMN's)."""
    return round(rules[finance_grade] * rules[FINANCE_WEIGHT]
                 + rules[authority_grade] * rules[AUTHORITY_WEIGHT]
                 + expert_score * rules[EXPERT_WEIGHT], 2)


def review_score(items: Sequence[str], values: Sequence[Any], finance_grade: str, authority_grade: str,
                 expert_score: float) -> float:
    """`weighted_score` straight from the DMN lookup's output lists (what a BPMN script has in hand)."""
    return weighted_score(rules_of(items, values), finance_grade, authority_grade, expert_score)


# What BPMN scripts see as `grading`: these functions only (not this module's globals).
SCRIPT_HELPER = SimpleNamespace(expert_mean=expert_mean, review_score=review_score)
