"""Uploads: checked by size and by content (not by the name the client claims), stored outside the web root
under random names with their SHA-256, and handed out only to people who may see what they belong to."""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from pathlib import Path
from typing import IO

import filetype
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Attachment, User
from . import audit, policy
from .errors import Invalid, NotFound
from .transaction import transactional

# What a bureau exchanges as evidence: documents, spreadsheets, photos, PDFs.
ALLOWED_BINARY = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
TEXT_SUFFIXES = {".txt": "text/plain", ".csv": "text/csv"}


def _display_name(raw: str | None) -> str:
    """Only the last path component, without control characters; it is shown, never used as a path."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "未命名文件")[:255]


def _content_type(data: bytes, name: str) -> str | None:
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return ALLOWED_BINARY.get(kind.extension)
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_SUFFIXES and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return TEXT_SUFFIXES[suffix]
    return None


def storage_path(stored_name: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / stored_name[:2] / stored_name


@transactional
def save_upload(actor: User, stream: IO[bytes] | None, filename: str | None) -> Attachment:
    if stream is None:
        raise Invalid("请选择要上传的文件", {"file": ["必填"]})
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    data = stream.read(limit + 1)
    if not data:
        raise Invalid("文件是空的", {"file": ["文件是空的"]})
    if len(data) > limit:
        raise Invalid("文件太大", {"file": [f"不能超过 {limit // (1024 * 1024)} MB"]})
    name = _display_name(filename)
    content_type = _content_type(data, name)
    if content_type is None:
        raise Invalid("不支持的文件类型", {"file": ["只接受 PDF、图片、Word、Excel、PowerPoint、TXT、CSV 文件"]})
    stored_name = secrets.token_hex(20)
    path = storage_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    attachment = Attachment(filename=name, stored_name=stored_name, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor.username)
    db.session.add(attachment)
    db.session.flush()
    audit.record("upload", actor, object_type="attachment", object_id=attachment.id,
                 after={"filename": name, "size": len(data), "sha256": attachment.sha256})
    return attachment


def claim_for(actor: User, ids: list[object], instance_id: int, used_in: str) -> list[Attachment]:
    """Attach the actor's own, still unused uploads to an instance (inside the caller's transaction)."""
    clean: list[int] = []
    for value in ids:
        if (isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit()
                or not 0 < int(value) < 2**31):
            raise Invalid("附件编号无效", {"evidence": [f"无效的附件编号：{value}"]})
        clean.append(int(value))
    found = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.id.in_(clean)))} if clean else {}
    for attachment_id in clean:
        attachment = found.get(attachment_id)
        if attachment is None or attachment.uploaded_by != actor.username:
            raise Invalid("只能使用本人上传的附件", {"evidence": [f"附件 {attachment_id} 不是您上传的"]})
        if attachment.instance_id is not None:
            raise Invalid("附件已经使用过", {"evidence": [f"附件 {attachment_id} 已用于其他材料"]})
    for attachment in found.values():
        attachment.instance_id = instance_id
        attachment.used_in = used_in
    return [found[i] for i in clean]


def downloadable(actor: User, attachment_id: int) -> tuple[Attachment, Path]:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("附件不存在")
    policy.require(actor, "download_attachment", attachment)
    return attachment, storage_path(attachment.stored_name)
