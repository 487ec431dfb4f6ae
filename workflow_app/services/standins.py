"""Stand-ins (代理): who acts for whom today."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from ..engine import now
from ..extensions import db
from ..models import StandIn, User
from . import audit
from .errors import Invalid, NotFound
from .transaction import transactional

LOCAL = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return now().astimezone(LOCAL).date()


# Read by every "mine" inbox: built once.
_ABSENT_FOR = (select(User.username).join(StandIn, StandIn.user_id == User.id)
               .where(StandIn.stand_in_id == bindparam("stand_in_id"), StandIn.ended_at.is_(None),
                      StandIn.starts_on <= bindparam("day"), StandIn.ends_on >= bindparam("day")))


def represented_by(user: User) -> list[str]:
    """Usernames of the people this user stands in for today (the user's own name first)."""
    absent = db.session.scalars(_ABSENT_FOR, {"stand_in_id": user.id, "day": today()}).all()
    return [user.username, *absent]


def current(user: User) -> StandIn | None:
    return db.session.scalars(select(StandIn).where(StandIn.user_id == user.id, StandIn.ended_at.is_(None),
                                                    StandIn.ends_on >= today())
                              .order_by(StandIn.id.desc())).first()


def stand_in_candidates(user: User) -> list[User]:
    """The 代理 picker, and the one rule `name_stand_in` accepts a stand-in by: other active users of the
    same department (or, like the user, of none) who hold at least one of the user's roles. Ordered by name."""
    same_department = (User.department_id == user.department_id if user.department_id is not None
                       else User.department_id.is_(None))
    query = select(User).where(User.active.is_(True), User.id != user.id, same_department)
    mine = set(user.roles)
    return sorted((u for u in db.session.scalars(query) if mine.intersection(u.roles)),
                  key=lambda u: (u.name, u.username))


@transactional
def name_stand_in(user: User, username: object, starts: object, ends: object) -> StandIn:
    errors: dict[str, list[str]] = {}
    stand_in = db.session.scalars(select(User).where(User.username == username)).first() \
        if isinstance(username, str) else None
    if username in (None, ""):
        errors["username"] = ["请选择代理人"]
    elif stand_in is None or not stand_in.active:
        errors["username"] = ["用户不存在"]
    elif stand_in.id == user.id:
        errors["username"] = ["不能指定自己为代理人"]
    elif all(u.id != stand_in.id for u in stand_in_candidates(user)):
        errors["username"] = ["代理人须与本人同部门并具有相同角色"]
    dates: dict[str, date] = {}
    for key, raw in (("from", starts), ("until", ends)):
        try:
            dates[key] = date.fromisoformat(raw) if isinstance(raw, str) else None  # type: ignore[assignment]
        except ValueError:
            dates[key] = None  # type: ignore[assignment]
        if dates[key] is None:
            errors[key] = ["必须是日期，如 2027-03-01"]
    if not errors and dates["until"] < dates["from"]:
        errors["until"] = ["结束日期不能早于开始日期"]
    if not errors and dates["until"] < today():
        errors["until"] = ["结束日期已经过去"]
    if errors:
        raise Invalid("代理设置有误", errors)
    assert stand_in is not None
    from .separation import check_stand_in  # local: separation imports the task model
    conflict = check_stand_in(user, stand_in)
    if conflict:  # 四眼原则: known now, so said now rather than when the stand-in tries to act
        raise Invalid(conflict, {"username": [conflict]})
    for old in db.session.scalars(select(StandIn).where(StandIn.user_id == user.id, StandIn.ended_at.is_(None))):
        old.ended_at = now()
    record = StandIn(user_id=user.id, user=user, stand_in_id=stand_in.id, stand_in=stand_in,
                     starts_on=dates["from"], ends_on=dates["until"])
    db.session.add(record)
    audit.record("stand_in_named", user, object_type="stand_in", object_id=stand_in.username,
                 after={"from": dates["from"].isoformat(), "until": dates["until"].isoformat()})
    return record


@transactional
def end_stand_in(user: User) -> None:
    active = db.session.scalars(select(StandIn).where(StandIn.user_id == user.id, StandIn.ended_at.is_(None))).all()
    if not active:
        raise NotFound("没有生效的代理")
    for record in active:
        record.ended_at = now()
    audit.record("stand_in_ended", user, object_type="stand_in")
