"""Deploying the BPMN/DMN files as versioned process definitions.

Each process (and worker) parses the files once per content hash; a changed process gets a new
version row, an unchanged one keeps its version, and a file that fails to parse is left out with the
problem logged, so the last good version keeps serving.

Deployment is a unit of work of its own, on its own session, and runs *before* the work that needs it:
at the first request of a web worker (`register_deployment`), when a Celery worker runs its first job, in
the CLI commands that start processes, and `flask processes deploy`. Reading a definition never deploys:
a unit of work that finds none raises `DefinitionsGone`, and `services.transaction` rolls it back,
deploys and runs it again, so a deployment can never commit (or be rolled back with) a caller's writes.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, request
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
    """A unit of work needs a definition this process has not deployed: none yet (a direct service call
    before any request or job), or its rows are gone (the database was emptied or restored under a running
    worker). The unit of work is rolled back and run again after a fresh deployment."""


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
        # Its own session and transaction: whatever the caller's session holds is neither committed nor lost.
        with Session(db.engine) as session, session.begin():
            for item in list(result.processes.values()) + list(result.decisions.values()):
                _store_version(session, item, kind="bpmn" if hasattr(item, "spec_json") else "dmn")
        _deployed[key] = digest
        _problems[key] = result.problems
        _keys[str(db.engine.url)] = set(result.processes)
        return result.problems


def _store_version(session: Session, item, kind: str) -> None:
    latest = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == item.key)
        .order_by(ProcessDefinition.version.desc()).limit(1)
    ).first()
    if latest is not None and latest.sha256 == item.sha256:
        return
    known = session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.key == item.key, ProcessDefinition.sha256 == item.sha256)).first()
    if known is not None:
        return  # an older content came back; the version that has it stays as it is
    next_version = (latest.version + 1) if latest else 1
    try:
        with session.begin_nested():
            session.add(ProcessDefinition(
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
    """Deploy if this process has not yet (a dictionary lookup after the first time). Call it only outside a
    unit of work: between requests, before a job, after a rollback."""
    deploy()


def redeploy() -> None:
    """Forget what this process deployed and deploy again (the definitions vanished under it)."""
    forget_deployments()
    deploy()


def register_deployment(app: Flask) -> None:
    """Deploy before the first request a web worker serves (and again after `forget_deployments`), before
    any view opens its unit of work. gunicorn workers each do it once; two racing store one version."""
    def deploy_before_request() -> None:
        if request.endpoint != "static":  # assets need no database
            ensure_deployed()

    app.before_request(deploy_before_request)


# Every start reads it: built once.
_LATEST_DEFINITION = (select(ProcessDefinition)
                      .where(ProcessDefinition.key == bindparam("key"), ProcessDefinition.kind == "bpmn")
                      .order_by(ProcessDefinition.version.desc()).limit(1))


def latest_definition(key: str) -> ProcessDefinition:
    definition = db.session.scalars(_LATEST_DEFINITION, {"key": key}).first()
    if definition is None:
        deployed_keys = _keys.get(str(db.engine.url))
        if deployed_keys is None or key in deployed_keys:
            raise DefinitionsGone(key)  # not deployed here yet, or deployed and gone: deploy, then run again
        raise NotFound(f"没有名为 {key} 的流程")
    return definition


def latest_definitions() -> list[ProcessDefinition]:
    """The newest version of every deployed process (what is in the database; reading never deploys)."""
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
              .where(ProcessDefinition.kind == "bpmn").group_by(ProcessDefinition.key).subquery())
    return list(db.session.scalars(
        select(ProcessDefinition).join(newest, (ProcessDefinition.key == newest.c.key)
                                       & (ProcessDefinition.version == newest.c.v))
        .order_by(ProcessDefinition.key)
    ))
