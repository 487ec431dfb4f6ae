"""The process registry: what each product process declares, and the questions generic code asks about it.

Generic modules (the engine service, the policy, the inbox, the task page, the history) never name a process
or a task. Where a rule depends on the process (who else may read it, which of its steps are anonymous, when a
step is due, which page a step shows, where it starts) they ask here, with the `process_key` a task or an
instance carries. A process deployed from an operator's BPMN folder without a module of its own gets
`GENERIC`: no hooks, no extra readers, generic pages, the default deadline.

Keys:
- A process is registered under its BPMN process id (`goal_review`). Tasks of a called subprocess (the joint
  review inside a goal review) run in the calling instance, so their rows carry the caller's key and the
  caller's module declares them (`subprocesses` lists the BPMN ids it calls).
- Deadlines are keyed `"<bpmn process id>:<task id>"` (`goal_review:draft_goals`, `joint_review:expert_review`),
  the argument of the BPMN `due_in(...)` helper, so two processes never share a task's deadline by accident.
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from ..services.hooks import ProcessHooks

if TYPE_CHECKING:
    from flask import Blueprint
    from flask_babel import LazyString


@dataclass(frozen=True)
class DueDays:
    """A step's deadline in days: the environment setting that changes it (documented in the README) and
    its default. `setting` None: only the default (a process that offers no setting for this step)."""

    default: int
    setting: str | None = None

    def read(self, environ: Mapping[str, str]) -> int:
        value = environ.get(self.setting) if self.setting else None
        return int(value) if value not in (None, "") else self.default


@dataclass(frozen=True)
class NavEntry:
    """A link the process adds to the navigation bar (its board); `roles`: shown only to these (None: everyone)."""

    endpoint: str
    label: LazyString | str
    roles: frozenset[str] | None = None
    # Its place in the navigation's 绩效全过程 menu, in the order of the budget cycle (事前评估 first).
    order: int = 100


@dataclass(frozen=True)
class TaskPage:
    """The templates and layout of one task's page."""

    context: list[str]     # candidates, first found wins: what the page shows beside the form
    form: list[str]        # candidates for the form body
    wide: bool             # the form takes the whole width (the indicator editor)
    uploads: bool          # the form carries a file upload (multipart; web/tasks.py saves it first)


@dataclass(frozen=True)
class PublishableDocument:
    """One document a process offers for disclosure (信息公开): a finished, approved record of a year.
    `id` is the process's own id of it (unique within its kind); `code` and `title` are what the public
    searches by; `grade`/`score` go into the 人大 package's summary table."""

    id: int
    title: str
    code: str
    department_id: int
    department_name: str
    fiscal_year: int
    approved_at: datetime | None
    grade: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class PublicationKind:
    """A kind of publishable document a process declares (its approved goal tables, its evaluation reports).

    `documents(year)`: every publishable (finished, approved) document of a fiscal year, None = every year;
    `html(id)`: the document printed as one HTML page (a templates/pdf/ page, extending pdf/_base.html), from
    which its PDF is made and with which the 人大 package binds it; `pdf(id)`: its PDF, when the process
    prints it some other way (default: `html` through WeasyPrint). `in_npc_package`: it belongs in the yearly
    package sent to 人大 (报送人大); `npc_order`: where its section comes in that package (lower first; the
    package's order is declared, not left to the order in which the processes happen to be imported)."""

    key: str
    label: LazyString | str
    documents: Callable[[int | None], list[PublishableDocument]]
    html: Callable[[int], str]
    pdf: Callable[[int], bytes] | None = None
    in_npc_package: bool = False
    npc_order: int = 100
    # `document(id)`: one publishable document, None if there is no such (finished) one; default: looked up in
    # `documents(None)`, which a kind with many documents should spare the portal's downloads.
    document: Callable[[int], PublishableDocument | None] | None = None


GENERIC_CONTEXT = "tasks/context/_none.html"
GENERIC_FORM = "tasks/forms/_generic.html"


@dataclass(frozen=True)
class ProcessModule:
    """One product process: its BPMN id and everything the generic code needs to know about it."""

    key: str
    hooks: ProcessHooks = field(default_factory=ProcessHooks)
    # The API call that starts it, when it owns domain rows that only its own start creates (a generic
    # `POST /api/v1/processes/<key>/instances` is then refused with this hint); None: it starts generically.
    start_endpoint: str | None = None
    # BPMN process ids it calls (call activities); their tasks are declared here too.
    subprocesses: tuple[str, ...] = ()
    # "<bpmn process id>:<task id>" -> deadline; read by `due_in` in the BPMN timers.
    due_days: Mapping[str, DueDays] = field(default_factory=dict)
    # English labels of the Chinese names in the BPMN files, keyed by (id, Chinese name): a redeployed file
    # that renames a step shows its new Chinese name rather than a stale translation.
    process_names_en: Mapping[tuple[str, str], str] = field(default_factory=dict)
    task_titles_en: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Tasks whose performer the department may not learn (an expert's review): see services/anonymity.py.
    anonymous_tasks: frozenset[str] = frozenset()
    # Independent reviews: outside the bureau-wide roles nobody reads another reviewer's opinion in the history.
    independent_reviews: frozenset[str] = frozenset()
    # Roles that follow every task / every instance of this process, whichever department it concerns.
    task_readers: frozenset[str] = frozenset()
    instance_readers: frozenset[str] = frozenset()
    nav: tuple[NavEntry, ...] = ()
    # Its own views: modules with a `bp` Blueprint of pages (registered by web.register_web), and API modules
    # that add routes to the API blueprint (imported before it is registered). Dotted module names.
    web_views: tuple[str, ...] = ()
    api_views: tuple[str, ...] = ()
    # Templates: templates/processes/<templates>/context/<task>.html and .../forms/<task>.html.
    templates: str | None = None
    wide_tasks: frozenset[str] = frozenset()
    upload_tasks: frozenset[str] = frozenset()
    # Documents it offers for disclosure (信息公开 and the 人大 package): services/publication.py.
    publications: tuple[PublicationKind, ...] = ()

    def task_page(self, task_name: str) -> TaskPage:
        folder = f"processes/{self.templates}" if self.templates else None
        context = ([f"{folder}/context/{task_name}.html"] if folder else []) + [GENERIC_CONTEXT]
        form = ([f"{folder}/forms/{task_name}.html"] if folder else []) + [GENERIC_FORM]
        return TaskPage(context, form, task_name in self.wide_tasks, task_name in self.upload_tasks)


GENERIC = ProcessModule(key="")
_modules: dict[str, ProcessModule] = {}


def register(module: ProcessModule) -> ProcessModule:
    """Add a process (its module calls this at import; `load_all` imports every module of the package)."""
    if module.key in _modules and _modules[module.key] is not module:
        raise ValueError(f"process {module.key!r} is registered twice")
    _modules[module.key] = module
    _merged.cache_clear()
    return module


def get(key: str | None) -> ProcessModule:
    """The module of a process key; `GENERIC` for a process without one (an operator's own model)."""
    return _modules.get(key or "", GENERIC)


def all() -> list[ProcessModule]:  # noqa: A001 - the registry's own vocabulary: registry.all()
    return list(_modules.values())


def hooks_for(key: str | None) -> ProcessHooks:
    return get(key).hooks


# -- questions across processes -----------------------------------------------------------------------------
@cache
def _merged() -> tuple[frozenset[str], dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    anonymous = frozenset(t for m in _modules.values() for t in m.anonymous_tasks)
    processes = {k: v for m in _modules.values() for k, v in m.process_names_en.items()}
    tasks = {k: v for m in _modules.values() for k, v in m.task_titles_en.items()}
    return anonymous, processes, tasks


def anonymous_tasks() -> frozenset[str]:
    """Every task id declared anonymous. Anonymity goes with the step, not the process: the experts' aliases
    (专家1 … 专家n) are numbered over an instance's anonymous task rows, whatever process they belong to."""
    return _merged()[0]


def process_name_en(key: str, name: str) -> str | None:
    return _merged()[1].get((key, name))


def task_title_en(task_id: str, title: str) -> str | None:
    return _merged()[2].get((task_id, title))


def due_days(environ: Mapping[str, str] | None = None) -> dict[str, int]:
    """Every declared deadline, "<process>:<task>" -> days, with the settings of the environment applied."""
    environ = os.environ if environ is None else environ
    return {key: due.read(environ) for m in _modules.values() for key, due in m.due_days.items()}


def nav_entries(has_role: Callable[..., bool]) -> list[NavEntry]:
    """The processes' navigation links this user sees (`has_role`: the user's `has_role`)."""
    entries = [entry for m in _modules.values() for entry in m.nav if entry.roles is None or has_role(*entry.roles)]
    return sorted(entries, key=lambda entry: entry.order)


def web_blueprints() -> list[Blueprint]:
    """The processes' page blueprints, to register with the generic ones."""
    return [importlib.import_module(name).bp for m in _modules.values() for name in m.web_views]


def publication_kinds() -> list[PublicationKind]:
    """Every kind of publishable document the processes declare, in registration order."""
    return [kind for m in _modules.values() for kind in m.publications]


def publication_kind(key: str) -> PublicationKind | None:
    return next((kind for kind in publication_kinds() if kind.key == key), None)


def import_api_views() -> None:
    """Import the processes' API modules: their routes join the API blueprint (before it is registered)."""
    for name in (name for m in _modules.values() for name in m.api_views):
        importlib.import_module(name)
