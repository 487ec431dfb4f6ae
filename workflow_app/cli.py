"""Operator commands of API.md: departments, users, seed-demo, timers, processes."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db
from .services import deployment, instances
from .services.demo import seed_demo
from .services.execution import seed_demo_payments
from .services.errors import DomainError
from .services.org import create_department, create_user, set_business_section


def _fail(error: DomainError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


def register_cli(app: Flask) -> None:
    departments = AppGroup("departments", help="Departments (部门).")
    users = AppGroup("users", help="Users (用户).")
    timers = AppGroup("timers", help="BPMN timers.")
    processes = AppGroup("processes", help="BPMN process definitions.")

    @departments.command("create")
    @click.argument("code")
    @click.argument("name")
    @click.option("--parent", default=None, help="code of the parent department")
    @click.option("--business-section", default=None,
                  help="code of its finance business section (对口业务科室): its finance tasks go there only")
    def departments_create(code: str, name: str, parent: str | None, business_section: str | None) -> None:
        try:
            create_department(code, name, parent, business_section)
            db.session.commit()
        except DomainError as error:
            _fail(error)
        click.echo(f"department {code} created")

    @departments.command("set-section")
    @click.argument("code")
    @click.argument("section", required=False)
    def departments_set_section(code: str, section: str | None) -> None:
        """Set (or, without SECTION, clear) the department's business section (对口业务科室)."""
        try:
            set_business_section(code, section)
            db.session.commit()
        except DomainError as error:
            _fail(error)
        click.echo(f"department {code}: business section {section or '(every finance section)'}")

    @users.command("create")
    @click.argument("username")
    @click.option("--password", required=True)
    @click.option("--role", "roles", multiple=True, required=True)
    @click.option("--department", default=None)
    @click.option("--name", default=None)
    @click.option("--email", default=None)
    def users_create(username: str, password: str, roles: tuple[str, ...], department: str | None,
                     name: str | None, email: str | None) -> None:
        try:
            create_user(username, password, list(roles), department, name, email)
            db.session.commit()
        except DomainError as error:
            _fail(error)
        click.echo(f"user {username} created")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo county (idempotent)."""
        problems = deployment.deploy()
        added = seed_demo()
        from .services.department_performance_demo import seed_department_performance_demo
        added.update(seed_department_performance_demo())
        added["payments"] = seed_demo_payments()   # not part of seed_demo: the test county starts without any
        from .services.cycle_demo import seed_cycle_demo   # approved goals, monitoring, evaluations, 公开
        added.update(seed_cycle_demo())
        click.echo("demo data: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
        for problem in problems:
            click.echo(f"warning: not deployed: {problem}", err=True)

    @timers.command("run")
    @click.option("--now", "now_text", default=None, help="ISO 8601 time to run at (default: the real time)")
    def timers_run(now_text: str | None) -> None:
        """Fire every timer due at that time and exit."""
        moment = None
        if now_text:
            try:
                moment = datetime.fromisoformat(now_text)
            except ValueError as error:
                raise click.BadParameter(f"not an ISO 8601 time: {now_text}") from error
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
        deployment.ensure_deployed()
        fired = instances.fire_due_timers(moment)
        click.echo(f"fired {fired} timers")

    @processes.command("check")
    def processes_check() -> None:
        """Parse every BPMN/DMN file; report the file and element of each problem."""
        from .engine import parse_dirs
        result = parse_dirs(app.config["BPMN_DIRS"])
        for key, process in sorted(result.processes.items()):
            click.echo(f"ok  {key} ({process.source_file})")
        for problem in result.problems:
            click.echo(f"ERR {problem}", err=True)
        if result.problems:
            raise SystemExit(1)

    @processes.command("deploy")
    def processes_deploy() -> None:
        """Deploy new versions of changed BPMN/DMN files."""
        problems = deployment.deploy(force=True)
        for d in deployment.latest_definitions():
            click.echo(f"{d.key} v{d.version} {d.sha256[:12]}")
        for problem in problems:
            click.echo(f"ERR {problem}", err=True)
        if problems:
            raise SystemExit(1)

    @processes.command("start-batch")
    @click.argument("key")
    @click.argument("items_file", type=click.File("rb"))
    @click.option("--as", "username", required=True, help="the section or admin user who starts the round")
    @click.option("--chunk", "chunk_size", default=100, show_default=True, help="instances per worker job")
    @click.option("--round", "round_name", default=None,
                  help="name of the round (default: from the process and the file, so a resend starts nothing twice)")
    def processes_start_batch(key: str, items_file, username: str, chunk_size: int, round_name: str | None) -> None:
        """Start one instance of KEY per object of a JSON list (a yearly round), through the Celery workers."""
        from .services.batches import plan_round
        from .worker import start_instances_batch
        deployment.ensure_deployed()
        try:
            deployment.latest_definition(key)
            name, chunks = plan_round(key, items_file.read(), username, chunk_size, round_name)
        except DomainError as error:
            _fail(error)
        db.session.rollback()
        for chunk_key, items in chunks:
            start_instances_batch.delay(key, items, username, chunk_key=chunk_key)
        total = sum(len(items) for _, items in chunks)
        click.echo(f"round {name}: {total} instances of {key} sent to the workers in {len(chunks)} chunks")

    audit_group = AppGroup("audit", help="The tamper-evident audit trail.")

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Check the hash chain; name the first event that was edited or deleted."""
        from .services.audit import verify
        verdict = verify()
        if verdict.ok:
            click.echo(f"audit chain ok: {verdict.checked} events")
            return
        click.echo(f"audit chain BROKEN at event {verdict.first_bad_seq}: {verdict.problem}", err=True)
        raise SystemExit(1)

    queues = AppGroup("queues", help="Task queues (待办).")

    @queues.command("compact")
    def queues_compact() -> None:
        """Fold the group queue size log now (beat does it every five minutes; useful after a bulk import)."""
        from .services.queue_sizes import compact_now
        click.echo(f"queue size log: {compact_now()} rows folded")

    for group in (departments, users, timers, processes, audit_group, queues):
        app.cli.add_command(group)
