"""The shipped BPMN files: they parse, follow the conventions the code relies on, and open cleanly in bpmn-js."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from forms import form_class
from workflow_app.engine import parse_dirs
from workflow_app.models import Role

ROOT = Path(__file__).resolve().parent.parent
# The Chinese label of each role (workflow_app/labels.py), as the shipped lanes are named.
ROLE_NAMES_ZH = {"department_filer": "部门填报人", "department_head": "部门负责人", "finance_business": "财政业务科室",
                 "performance_section": "绩效科", "expert": "评审专家", "third_party": "第三方机构",
                 "supervisor": "督办人员", "admin": "系统管理员"}
LINT_CANDIDATES = [os.environ.get("BPMN_LINT", ""), str(ROOT.parent / "shared/tools/bpmn-lint/bpmn-lint")]


def test_shipped_models_parse_and_name_existing_forms_and_roles():
    result = parse_dirs([str(ROOT / "bpmn")])
    assert result.problems == []
    assert {"goal_review", "joint_review"} <= set(result.processes)
    for process in result.processes.values():
        specs = orjson.loads(process.spec_json)
        for spec in [specs["spec"], *specs["subprocess_specs"].values()]:
            for task in spec["task_specs"].values():
                if task.get("typename") != "UserTask":
                    continue
                props = (task.get("extensions") or {}).get("properties", {})
                assert form_class(props.get("form")) is not None, task["name"]
                assert task["lane"] in Role.values(), task["name"]


def test_goal_review_task_ids_are_the_contract():
    xml = (ROOT / "bpmn/goal_review.bpmn").read_text(encoding="utf-8")
    for task_id in ("draft_goals", "dept_signoff", "formal_check", "joint_review", "consolidate",
                    "revise_goals", "final_review"):
        assert f'id="{task_id}"' in xml
    joint = (ROOT / "bpmn/joint_review.bpmn").read_text(encoding="utf-8")
    for task_id in ("finance_review", "authority_review", "expert_review"):
        assert f'id="{task_id}"' in joint


@pytest.mark.skipif(not shutil.which("node") or not any(p and Path(p).exists() for p in LINT_CANDIDATES),
                    reason="bpmn-lint needs node and the shared lint tool")
def test_bpmn_files_open_cleanly_in_bpmn_js():
    lint = next(p for p in LINT_CANDIDATES if p and Path(p).exists())
    files = sorted(str(p) for p in (ROOT / "bpmn").glob("*.bpmn")) + sorted(
        str(p) for p in (ROOT / "tests/bpmn").glob("*.bpmn"))
    # Lane names are the roles' Chinese labels (bpmn/README.md convention 4; the role code is in the lane id).
    labels = ",".join(ROLE_NAMES_ZH.values())
    result = subprocess.run([lint, *files], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "BPMN_LINT_ROLES": labels})
    assert result.returncode == 0, result.stdout + result.stderr
