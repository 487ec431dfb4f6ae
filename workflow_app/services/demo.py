"""The demo county: the five pilot departments of DOMAIN.md, the finance bureau, one user per role
and a handful of projects. Idempotent: running it again adds only what is missing."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import Department, Project, User
from .org import create_department, create_user

DEMO_PASSWORD = "demo-pass-2026"

DEPARTMENTS = [
    ("czj", "县财政局", None),
    ("czj-jxk", "县财政局绩效管理科", "czj"),
    ("czj-sbk", "县财政局社会保障科", "czj"),
    ("czj-nyk", "县财政局农业农村科", "czj"),
    ("rsj", "县人力资源和社会保障局", None),
    ("slj", "县水务局", None),
    ("tjj", "县统计局", None),
    ("xmz", "县畜牧兽医产业发展中心", None),
    ("cjl", "县残疾人联合会", None),
    ("nyj", "县农业农村局", None),
    ("dcs", "县委督查室", None),
    ("zjk", "县财政评审专家库", None),
]

# department → its business section (对口业务科室) at the finance bureau: the section whose queue gets the
# department's finance reviews. 统计局 has none here, so its finance reviews wait in every section's queue.
BUSINESS_SECTIONS = {"rsj": "czj-sbk", "cjl": "czj-sbk", "slj": "czj-nyk", "xmz": "czj-nyk", "nyj": "czj-nyk"}

# username, name, roles, department
USERS = [
    ("admin", "系统管理员", ["admin"], "czj"),
    ("jxk", "绩效科 王科长", ["performance_section"], "czj-jxk"),
    ("sbk", "社保科 李科员", ["finance_business"], "czj-sbk"),
    ("nyk", "农业农村科 赵科员", ["finance_business"], "czj-nyk"),
    ("rsj_filer", "人社局 张填报", ["department_filer"], "rsj"),
    ("rsj_head", "人社局 刘局长", ["department_head"], "rsj"),
    ("slj_filer", "水务局 陈填报", ["department_filer"], "slj"),
    ("slj_head", "水务局 周局长", ["department_head"], "slj"),
    ("tjj_filer", "统计局 吴填报", ["department_filer"], "tjj"),
    ("tjj_head", "统计局 郑局长", ["department_head"], "tjj"),
    ("xmz_filer", "畜牧中心 孙填报", ["department_filer"], "xmz"),
    ("xmz_head", "畜牧中心 钱主任", ["department_head"], "xmz"),
    ("cjl_filer", "残联 冯填报", ["department_filer"], "cjl"),
    ("cjl_head", "残联 何理事长", ["department_head"], "cjl"),
    # A second head where a department is its own 主管部门: the signer may not also give the 主管部门 review
    # (四眼原则), so another member of the leadership gives it.
    ("rsj_deputy", "人社局 黄副局长", ["department_head"], "rsj"),
    ("slj_deputy", "水务局 马副局长", ["department_head"], "slj"),
    ("tjj_deputy", "统计局 杨副局长", ["department_head"], "tjj"),
    ("cjl_deputy", "残联 胡副理事长", ["department_head"], "cjl"),
    ("nyj_head", "农业农村局 许局长", ["department_head"], "nyj"),
    ("expert1", "专家 林教授", ["expert"], "zjk"),
    ("expert2", "专家 高会计师", ["expert"], "zjk"),
    ("expert3", "专家 罗工程师", ["expert"], "zjk"),
    ("expert4", "专家 梁研究员", ["expert"], "zjk"),
    ("expert5", "专家 宋审计师", ["expert"], "zjk"),
    ("thirdparty", "某会计师事务所", ["third_party"], None),
    ("supervisor", "县委督查室 督查员", ["supervisor"], "dcs"),
]

# code, name, department, competent department, amount (万元), fund source, kind. The demo projects are
# continuing ones (is_new False): their goal reviews need no ex-ante assessment first (services/ex_ante.py);
# an assessment can still be run on them (到期申请延续).
PROJECTS = [
    ("2027-RSJ-001", "城乡居民就业技能培训补贴", "rsj", None, "320.00", "general", "policy"),
    ("2027-SLJ-001", "农村饮水安全巩固提升工程", "slj", None, "860.50", "fund", "project"),
    ("2027-TJJ-001", "第五次全国经济普查县级经费", "tjj", None, "95.00", "general", "project"),
    ("2027-XMZ-001", "畜禽养殖废弃物资源化利用", "xmz", "nyj", "150.00", "general", "project"),
    ("2027-CJL-001", "残疾人康复救助项目", "cjl", None, "210.00", "general", "policy"),
]


def seed_demo() -> dict[str, int]:
    added = {"departments": 0, "users": 0, "projects": 0}
    for code, name, parent in DEPARTMENTS:
        if not db.session.scalars(select(Department).where(Department.code == code)).first():
            create_department(code, name, parent)
            added["departments"] += 1
    password_hash = None  # one hash for the shared demo password: hashing is slow on purpose
    for username, name, roles, dept in USERS:
        if not db.session.scalars(select(User).where(User.username == username)).first():
            password_hash = password_hash or generate_password_hash(DEMO_PASSWORD)
            create_user(username, DEMO_PASSWORD, roles, dept, name, email=f"{username}@demo.example.gov.cn",
                        password_hash=password_hash)
            added["users"] += 1
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for code, section in BUSINESS_SECTIONS.items():
        if departments[code].business_section_id is None:
            departments[code].business_section_id = departments[section].id
    for code, name, dept, competent, amount, source, kind in PROJECTS:
        if not db.session.scalars(select(Project).where(Project.code == code)).first():
            db.session.add(Project(code=code, name=name, department_id=departments[dept].id,
                                   competent_department_id=departments[competent].id if competent else None,
                                   fiscal_year=2027, amount=Decimal(amount), fund_source=source, kind=kind,
                                   is_new=False))
            added["projects"] += 1
    db.session.commit()
    return added
