"""Goal versions: storing a submission, and the difference between two versions."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..json_provider import exact_number
from ..models import GoalVersion, Indicator, Project

DIFF_FIELDS = ("operator", "target", "unit", "weight", "allow_negative")


def store_version(project: Project, instance_id: int, round_name: str, overall_goal: str,
                  rows: list[dict[str, Any]], created_by: str, amount: Decimal | None = None) -> GoalVersion:
    """A new, immutable version; the number is the project's next one."""
    number = (db.session.scalar(select(func.max(GoalVersion.number)).where(GoalVersion.project_id == project.id))
              or 0) + 1
    version = GoalVersion(project_id=project.id, instance_id=instance_id, number=number, round=round_name,
                          overall_goal=overall_goal.strip(), amount=amount, created_by=created_by)
    version.indicators = [Indicator(position=i, **row) for i, row in enumerate(rows)]
    db.session.add(version)
    db.session.flush()
    return version


def versions_of(project_id: int) -> list[GoalVersion]:
    return list(db.session.scalars(select(GoalVersion).where(GoalVersion.project_id == project_id)
                                   .order_by(GoalVersion.number.desc())))


@dataclass
class GoalDiff:
    old: GoalVersion
    new: GoalVersion
    added: list[Indicator] = field(default_factory=list)
    removed: list[Indicator] = field(default_factory=list)
    changed: list[tuple[Indicator, Indicator, list[str]]] = field(default_factory=list)
    overall_changed: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.overall_changed)


def diff(old: GoalVersion, new: GoalVersion) -> GoalDiff:
    """Indicators are matched by (level 1, level 2, name): a renamed indicator is a removal and an addition."""
    result = GoalDiff(old=old, new=new, overall_changed=old.overall_goal != new.overall_goal)
    before = {i.key: i for i in old.indicators}
    after = {i.key: i for i in new.indicators}
    result.added = [i for k, i in after.items() if k not in before]
    result.removed = [i for k, i in before.items() if k not in after]
    for key, new_indicator in after.items():
        if key in before:
            old_indicator = before[key]
            changed = [f for f in DIFF_FIELDS if getattr(old_indicator, f) != getattr(new_indicator, f)]
            if changed:
                result.changed.append((old_indicator, new_indicator, changed))
    return result


def version_json(version: GoalVersion) -> dict[str, Any]:
    return {
        "id": version.id, "number": version.number, "round": version.round, "overall_goal": version.overall_goal,
        "amount": exact_number(version.amount),
        "created_by": version.created_by, "created_at": version.created_at.isoformat(),
        "indicators": [{"level1": i.level1, "level2": i.level2, "name": i.name, "operator": i.operator,
                        "target": i.target, "unit": i.unit, "weight": exact_number(i.weight),
                        "allow_negative": bool(i.allow_negative)} for i in version.indicators],
    }
