"""The instance page: where the work stands and what happened, on the process diagram and as text."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from lxml import etree
from sqlalchemy import select

from ..extensions import db
from ..models import Attachment, ProcessDefinition, ProcessInstance
from ..services import attachments, comments, history, task_actions
from ..services.errors import Conflict, Invalid, NotFound

bp = Blueprint("instances", __name__)

BPMN_MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# The deployed XML is the operators' own file; still, no entities and no network while reading it.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@dataclass
class Diagram:
    """One diagram on the instance page: where its XML is and which of its tasks to colour."""

    key: str
    title: str
    url: str
    completed: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)


@dataclass
class _Model:
    tasks: set[str]                      # ids of the activities that can carry a marker
    calls: dict[str, str]                # call activity id -> calledElement (process key)
    name: str | None


def _read_model(xml: str) -> _Model:
    root = etree.fromstring(xml.encode("utf-8"), _PARSER)
    tasks: set[str] = set()
    calls: dict[str, str] = {}
    name = None
    for element in root.iter(f"{{{BPMN_MODEL_NS}}}*"):
        local = etree.QName(element).localname
        element_id = element.get("id")
        if not element_id:
            continue
        if local == "process" and name is None:
            name = element.get("name")
        elif local == "callActivity":
            tasks.add(element_id)
            if element.get("calledElement"):
                calls[element_id] = element.get("calledElement")
        elif local.endswith("Task") or local == "task" or local == "subProcess":
            tasks.add(element_id)
    return _Model(tasks, calls, name)


def _latest_definition(key: str) -> ProcessDefinition | None:
    return db.session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.kind == "bpmn")
        .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def _called_definition(instance: ProcessInstance, key: str) -> ProcessDefinition:
    """The latest version of a process that the instance's own process calls; 404 for any other key."""
    if key not in set(_read_model(instance.definition.source_xml).calls.values()):
        raise NotFound("流程图不存在")
    definition = _latest_definition(key)
    if definition is None:
        raise NotFound("流程图不存在")
    return definition


def _diagrams(view: history.InstanceView) -> list[Diagram]:
    """The instance's diagram, then one per process it calls, with completed (green) and ready (orange) tasks.

    A call activity is ready while a task of the called process is ready, and completed once a task of the
    called process was completed and none is ready any more.
    """
    instance = view.instance
    ready = {t.name for t in view.ready_tasks}
    completed = {h.task for h in view.history if h.action == "complete" and h.task} - ready
    main = _read_model(instance.definition.source_xml)
    diagrams = [Diagram(instance.process_key, instance.definition.name,
                        url_for("instances.diagram_xml", instance_id=instance.id))]
    main_ready, main_completed = ready & main.tasks, completed & main.tasks
    for activity_id, key in sorted(main.calls.items()):
        definition = _latest_definition(key)
        if definition is None or key == instance.process_key:
            continue
        called = _read_model(definition.source_xml)
        diagram = Diagram(key, definition.name or called.name or key,
                          url_for("instances.diagram_xml", instance_id=instance.id, process=key),
                          completed=sorted(completed & called.tasks), ready=sorted(ready & called.tasks))
        if diagram.ready:
            main_ready.add(activity_id)
        elif diagram.completed:
            main_completed.add(activity_id)
        diagrams.append(diagram)
    diagrams[0].ready, diagrams[0].completed = sorted(main_ready), sorted(main_completed - main_ready)
    return diagrams


@bp.get("/instances/<int:instance_id>")
@login_required
def detail(instance_id: int):
    return _detail_page(instance_id)


@dataclass
class CommentDraft:
    """What was typed into the comment form, shown again when the comment is refused (nothing typed is lost)."""

    text: str = ""
    attachment_ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _detail_page(instance_id: int, draft: CommentDraft | None = None, status: int = 200):
    user = current_user._get_current_object()
    view = history.instance_view(user, instance_id)
    # No "流程数据" block: the engine's variables are machine data (ids, ISO times, usernames); everything a
    # person needs of them is on the page in words (history, current tasks, the project's goals).
    notes = comments.list_comments(user, instance_id)
    files = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.instance_id == instance_id))}
    unused = list(db.session.scalars(select(Attachment).where(Attachment.uploaded_by == user.username,
                                                              Attachment.instance_id.is_(None))))
    did_something = any(h.by == user.username and h.action == "complete" for h in view.history)
    return render_template("instances/detail.html", view=view, diagrams=_diagrams(view),
                           comments=notes, files=files, unused_uploads=unused, action_form=FlaskForm(),
                           draft=draft or CommentDraft(), comment_limit=comments.MAX_COMMENT_CHARS,
                           may_withdraw=did_something and view.instance.status == "running"), status


@bp.post("/instances/<int:instance_id>/comments")
@login_required
def add_comment(instance_id: int):
    user = current_user._get_current_object()
    history.visible_instance(user, instance_id)          # 404 before anything is stored for another's instance
    ids = [int(v) for v in request.form.getlist("attachment") if v.isdigit()]
    text = request.form.get("text")
    try:
        file = request.files.get("file")
        if file is not None and file.filename:
            # Stored first: if the comment is refused, the file stays as the person's upload, ticked,
            # so nothing has to be chosen again.
            ids.append(attachments.save_upload(user, file.stream, file.filename).id)
        comments.add_comment(user, instance_id, text, ids)
    except Invalid as error:
        # The page comes back with the text and the ticked attachments as they were, and the reason.
        db.session.rollback()
        messages = [f"{error.message}：{m}" if name == "file" else m
                    for name, ms in error.fields.items() for m in ms] or [error.message]
        flash(error.message, "warning")
        return _detail_page(instance_id, CommentDraft(text or "", ids, messages), status=422)
    flash(_("已发表评论"), "success")
    return redirect(url_for("instances.detail", instance_id=instance_id) + "#comments")


@bp.post("/instances/<int:instance_id>/withdraw")
@login_required
def withdraw(instance_id: int):
    try:
        task_actions.withdraw(current_user._get_current_object(), instance_id, request.form.get("reason"))
        flash(_("已撤回，任务回到您的待办"), "success")
    except (Conflict, Invalid) as error:
        flash(error.message, "warning")
    return redirect(url_for("instances.detail", instance_id=instance_id))


@bp.get("/instances/<int:instance_id>/diagram.xml")
@login_required
def diagram_xml(instance_id: int):
    """The BPMN XML of the version the instance runs, or (?process=key) of a process it calls."""
    instance, _project = history.visible_instance(current_user._get_current_object(), instance_id)
    key = request.args.get("process")
    definition = instance.definition if not key else _called_definition(instance, key)
    response = Response(definition.source_xml, mimetype="application/xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
