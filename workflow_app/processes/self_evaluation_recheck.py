"""财政复核 (the finance bureau's re-check of a department's 单位自评表) as a workflow step of its own.

The domain behaviour is in services/self_evaluation_recheck.py (the start on a draw, the re-check itself); the
draw stays with the self-evaluation (services/self_evaluation.py draw_sample / choose_for_recheck), which starts
this process. Files of this process: bpmn/self_evaluation_recheck.bpmn, forms/self_evaluation_recheck.py,
templates/processes/self_evaluation_recheck/. Its rows are the self-evaluation's (models/self_evaluation.py,
`recheck_instance_id`), and so are its board and detail pages (web/self_evaluation.py), whose re-check form
completes this process's task.
"""
from __future__ import annotations

from ..services.self_evaluation_recheck import (RECHECK_TASK, SELF_EVALUATION_RECHECK, START_ENDPOINT,
                                                RecheckHooks)
from .registry import DueDays, ProcessModule, register

MODULE = register(ProcessModule(
    key=SELF_EVALUATION_RECHECK,
    hooks=RecheckHooks(),
    start_endpoint=START_ENDPOINT,
    due_days={f"{SELF_EVALUATION_RECHECK}:{RECHECK_TASK}": DueDays(15, "DUE_DAYS_SELF_EVALUATION_RECHECK")},
    process_names_en={(SELF_EVALUATION_RECHECK, "财政复核"): "Finance re-check of a self-evaluation"},
    task_titles_en={(RECHECK_TASK, "财政复核自评表"): "Re-check the self-evaluation form"},
    templates=SELF_EVALUATION_RECHECK,
    wide_tasks=frozenset({RECHECK_TASK}),
))
