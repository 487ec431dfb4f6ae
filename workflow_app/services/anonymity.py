"""The joint review's experts are anonymous to the departments: "专家1 … 专家n", never their usernames.

Who sees real names: the bureau-wide roles (performance section, admin), who draw and manage the experts, and
each expert for himself. Everyone else (the project's department, the competent department, finance) sees an
expert as "专家<n>", numbered per instance in the order the experts were drawn (the order of the expert
review task rows, which the engine creates in the order of the `experts` list; experts of a later round or
taking over by 转办 come after). The same numbering is used on every page, in the API and in the opinions
tables, so "专家2" on the instance page is "专家2" in the history and in the 联审意见.

Pages and API ask here for every person they show on an anonymous task; policy's "see_task" keeps the
task pages themselves closed to the department.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..extensions import db
from ..models import HumanTask, User
from ..processes import registry
from . import policy

# Tasks whose performer the department may not learn (BPMN task ids; bpmn/README.md convention 3) are declared
# by their process modules (`anonymous_tasks`, workflow_app/processes/); `registry.anonymous_tasks()` is all of them.
ALIAS_PREFIX = "专家"


def sees_real_names(viewer: User) -> bool:
    return policy.may(viewer, "see_expert_names")


def expert_aliases(instance_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Per instance: expert username -> "专家<n>", in the order of the instance's expert review tasks."""
    ids = sorted(set(instance_ids))
    aliases: dict[int, dict[str, str]] = {i: {} for i in ids}
    if not ids:
        return aliases
    rows = db.session.execute(select(HumanTask.instance_id, HumanTask.assignee, HumanTask.completed_by,
                                     HumanTask.on_behalf_of)
                              .where(HumanTask.instance_id.in_(ids), HumanTask.name.in_(registry.anonymous_tasks()))
                              .order_by(HumanTask.id))
    for instance_id, assignee, completed_by, on_behalf_of in rows:
        # The expert whose review it is: the named assignee (a stand-in completes on his behalf).
        for person in (assignee, on_behalf_of or completed_by):
            names = aliases[instance_id]
            if person and person not in names:
                names[person] = f"{ALIAS_PREFIX}{len(names) + 1}"
    return aliases


class Masker:
    """Replaces the experts' usernames by their aliases for one viewer; one query per instance, cached."""

    def __init__(self, viewer: User) -> None:
        self.viewer = viewer
        self.reveal = sees_real_names(viewer)
        self._aliases: dict[int, dict[str, str]] = {}

    def preload(self, instance_ids: Iterable[int]) -> None:
        """Read the aliases of many instances at once (a task list page)."""
        if not self.reveal:
            missing = set(instance_ids) - set(self._aliases)
            self._aliases.update(expert_aliases(missing))

    def aliases(self, instance_id: int) -> dict[str, str]:
        if instance_id not in self._aliases:
            self.preload([instance_id])
        return self._aliases.get(instance_id, {})

    def hides(self, task_name: str | None) -> bool:
        return not self.reveal and task_name in registry.anonymous_tasks()

    def person(self, instance_id: int, username: str | None, task_name: str | None = None,
               slot_of: str | None = None) -> str | None:
        """How `username` is shown. On an anonymous task (`task_name`) everybody acting in it is shown as the
        alias of the expert whose review it is (`slot_of`, else the person himself): a stand-in too, since his
        name would tell whom he stands in for. Elsewhere only a person who is one of the instance's experts
        is hidden (a comment an expert posted on the instance)."""
        if not username or self.reveal or username == self.viewer.username:
            return username
        names = self.aliases(instance_id)
        if task_name in registry.anonymous_tasks():
            return names.get(slot_of or username) or names.get(username) or ALIAS_PREFIX
        return names.get(username, username)
