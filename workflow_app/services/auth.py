"""Passwords and API bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ApiToken, User
from ..models.types import utcnow
from . import audit
from .transaction import transactional

_dummy_hash: str | None = None


def _spend_equal_time(password: str) -> None:
    """Check against a throwaway hash when the username is unknown, so a wrong name costs as long
    as a wrong password and names cannot be probed by timing."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash(secrets.token_hex(16))
    check_password_hash(_dummy_hash, password)


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        _spend_equal_time(password)
        return None
    if not user.active or not user.check_password(password):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), created_at=utcnow(),
                   expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    audit.record("token_issued", user, object_type="api_token")
    return token, row


# Every API request runs this: the statement is built once (building and hashing a fresh one cost as
# much as running it), and the token's validity is decided in SQL, so one row or none comes back.
_USER_FOR_TOKEN = (
    select(User).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), User.active.is_(True))
)


def user_for_token(token: str) -> User | None:
    """The active user a live (unexpired, unrevoked) token belongs to, or None."""
    return db.session.scalars(_USER_FOR_TOKEN, {"token_hash": _digest(token), "now": utcnow()}).first()


@transactional
def revoke_token(token: str) -> bool:
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record("token_revoked", row.user, object_type="api_token", object_id=row.id)
    return True
