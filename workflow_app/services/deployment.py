"""Deploying the BPMN/DMN files as versioned process definitions.

Each process (and worker) parses the files once per content hash; a changed process gets a new
version row, an unchanged one keeps its version, and a file that fails to parse is left out with the
problem logged, so the last good version keeps serving.
"""
from __future__ import annotations

import logging
import threading

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from ..engine import FileProblem, bundle_hash, parse_dirs
from ..extensions import db
from ..models import ProcessDefinition
from .errors import NotFound

log = logging.getLogger(__name__)

_lock = threading.Lock()
_deployed: dict[str, str] = {}   # database URL -> bundle hash deployed by this process
_problems: dict[str, list[FileProblem]] = {}
# (database URL, definition id) -> content hash. A definition row never changes, so running instances
# find their spec without reading the row again on every step.
_content_hash: dict[tuple[str, int], str] = {}
_keys: dict[str, set[str]] = {}  # database URL -> the process keys its deployment stored


class DefinitionsGone(Exception):
    """A process this worker deployed has no row any more (the database was emptied or restored under a
    running worker). The unit of work is rolled back and run again after a fresh deployment."""


def deploy(dirs: list[str] | None = None, *, force: bool = False) -> list[FileProblem]:
    """Parse the BPMN folders (if their content changed) and store new versions. Returns the problems."""
    dirs = dirs or current_app.config["BPMN_DIRS"]
    key = f"{db.engine.url}|{'|'.join(dirs)}"
    # Once per process: requests never re-read the files. A changed file is deployed at the next start
    # (or at once with `flask processes deploy`).
    if not force and key in _deployed:
        return _problems.get(key, [])
    digest = bundle_hash(dirs)
    with _lock:
        if not force and _deployed.get(key) == digest:
            return _problems.get(key, [])
        result = parse_dirs(dirs)
        for item in list(result.processes.values()) + list(result.decisions.values()):
            _store_version(item, kind="bpmn" if hasattr(item, "spec_json") else "dmn")
        db.session.commit()
        _deployed[key] = digest
        _problems[key] = result.problems
        _keys[str(db.engine.url)] = set(result.processes)
        return result.problems


def _store_version(item, kind: str) -> None:
    latest = db.session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == item.key)
        .order_by(ProcessDefinition.version.desc()).limit(1)
    ).first()
    if latest is not None and latest.sha256 == item.sha256:
        return
    known = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.key == item.key, ProcessDefinition.sha256 == item.sha256)).first()
    if known is not None:
        return  # an older content came back; the version that has it stays as it is
    next_version = (latest.version + 1) if latest else 1
    try:
        with db.session.begin_nested():
            db.session.add(ProcessDefinition(
                key=item.key, kind=kind, name=item.name, version=next_version, sha256=item.sha256,
                source_file=item.source_file, source_xml=item.source_xml,
                spec_json=getattr(item, "spec_json", None),
            ))
        log.info("deployed %s version %s", item.key, next_version)
    except IntegrityError:
        # Another worker deployed the same content at the same moment: theirs is as good as ours.
        log.info("%s was deployed concurrently", item.key)


def forget_deployments() -> None:
    """Make the next call parse and deploy again (after the database was emptied)."""
    with _lock:
        _deployed.clear()
        _problems.clear()
        _content_hash.clear()
        _keys.clear()


def content_hash(definition_id: int) -> str:
    """The sha256 of a deployed definition, read once per process."""
    key = (str(db.engine.url), definition_id)
    digest = _content_hash.get(key)
    if digest is None:
        digest = db.session.scalar(select(ProcessDefinition.sha256).where(ProcessDefinition.id == definition_id))
        if digest is None:
            raise NotFound("流程定义不存在")
        _content_hash[key] = digest
    return digest


def ensure_deployed() -> None:
    deploy()


# Every start reads it: built once.
_LATEST_DEFINITION = (select(ProcessDefinition)
                      .where(ProcessDefinition.key == bindparam("key"), ProcessDefinition.kind == "bpmn")
                      .order_by(ProcessDefinition.version.desc()).limit(1))


def latest_definition(key: str) -> ProcessDefinition:
    ensure_deployed()
    definition = db.session.scalars(_LATEST_DEFINITION, {"key": key}).first()
    if definition is None:
        if key in _keys.get(str(db.engine.url), ()):
            forget_deployments()
            raise DefinitionsGone(key)
        raise NotFound(f"没有名为 {key} 的流程")
    return definition


def latest_definitions() -> list[ProcessDefinition]:
    ensure_deployed()
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
              .where(ProcessDefinition.kind == "bpmn").group_by(ProcessDefinition.key).subquery())
    return list(db.session.scalars(
        select(ProcessDefinition).join(newest, (ProcessDefinition.key == newest.c.key)
                                       & (ProcessDefinition.version == newest.c.v))
        .order_by(ProcessDefinition.key)
    ))
