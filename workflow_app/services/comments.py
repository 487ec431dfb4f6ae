"""Comments with attachments on an instance, visible to everyone who may see the instance."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, User
from . import attachments, audit
from .errors import Invalid
from .history import visible_instance
from .transaction import transactional


def list_comments(actor: User, instance_id: int) -> list[Comment]:
    visible_instance(actor, instance_id)
    return list(db.session.scalars(select(Comment).where(Comment.instance_id == instance_id).order_by(Comment.id)))


MAX_COMMENT_CHARS = 5000


@transactional
def add_comment(actor: User, instance_id: int, text: object, attachment_ids: object = None) -> Comment:
    instance, _project = visible_instance(actor, instance_id, "comment")
    if not isinstance(text, str) or not text.strip():
        raise Invalid("评论内容必填", {"text": ["必填"]})
    if len(text) > MAX_COMMENT_CHARS:
        raise Invalid(f"评论不超过{MAX_COMMENT_CHARS}字（当前{len(text)}字），请删减后再发表",
                      {"text": [f"不超过{MAX_COMMENT_CHARS}字（当前{len(text)}字）"]})
    if attachment_ids is None:
        attachment_ids = []
    if not isinstance(attachment_ids, list):
        raise Invalid("attachments 须为附件编号列表", {"attachments": ["须为列表"]})
    comment = Comment(instance_id=instance.id, author=actor.username, author_name=actor.name, text=text.strip())
    db.session.add(comment)
    db.session.flush()
    used = attachments.claim_for(actor, attachment_ids, instance.id, f"comment:{comment.id}")
    comment.attachment_ids = [a.id for a in used]
    audit.record("comment", actor, instance_id=instance.id, object_type="comment", object_id=comment.id,
                 after={"attachments": comment.attachment_ids})
    return comment
