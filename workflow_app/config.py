"""Configuration read from the environment.

Every setting a deployment changes comes from an environment variable so that several gunicorn
workers and Celery workers on several machines share one configuration and keep nothing in memory.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_secret_key(instance_path: Path) -> str:
    """A random key kept in instance/ so that sessions survive restarts of the embedded default."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    return key


def build_config(instance_path: Path) -> dict[str, object]:
    """Return the Flask config mapping for this process."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'workflow.sqlite'}"
    # psycopg 3 is the PostgreSQL driver; accept the plain postgresql:// form operators write.
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    bpmn_dirs = [str(PROJECT_ROOT / "bpmn")]
    extra = os.environ.get("BPMN_DIRS", "")
    for folder in (d for d in extra.split(os.pathsep) if d):
        # The shipped folder named again (a common slip) would deploy every process twice.
        if Path(folder).resolve() not in {Path(d).resolve() for d in bpmn_dirs}:
            bpmn_dirs.append(folder)

    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _default_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", ""),
        "BPMN_DIRS": bpmn_dirs,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        # API bearer tokens live this long (hours); they can also be revoked.
        "API_TOKEN_HOURS": _env_int("API_TOKEN_HOURS", 12),
        # Redis broker: seconds before a job whose worker died unacknowledged is handed out again.
        "CELERY_VISIBILITY_TIMEOUT": _env_int("CELERY_VISIBILITY_TIMEOUT", 600),
        # How often beat folds the group queue size log (services/queue_sizes.py), in seconds.
        "QUEUE_SIZES_COMPACT_SECONDS": _env_int("QUEUE_SIZES_COMPACT_SECONDS", 300),
        # Joint review: how many experts are drawn, and an optional seed for reproducible draws.
        "EXPERTS_PER_REVIEW": _env_int("EXPERTS_PER_REVIEW", 3),
        "EXPERT_DRAW_SEED": os.environ.get("EXPERT_DRAW_SEED") or None,
        # Deadlines of the steps (days): each process declares its own and the settings that change them
        # (workflow_app/processes/, TASK_DUE_DAYS is filled at app creation); this one serves any step without.
        "TASK_DUE_DAYS_DEFAULT": _env_int("DUE_DAYS_DEFAULT", 7),
        # Rectification: the department is reminded this many days before the deadline it was given.
        "RECTIFICATION_REMINDER_DAYS": _env_int("RECTIFICATION_REMINDER_DAYS", 3),
        # How often beat sends the job that fires due BPMN timers, in seconds.
        "TIMER_INTERVAL_SECONDS": _env_int("TIMER_INTERVAL_SECONDS", 60),
        # 信息公开: an approved document still undecided (公开/不公开) after this many days is flagged (预算法 §14).
        "DISCLOSURE_WARNING_DAYS": _env_int("DISCLOSURE_WARNING_DAYS", 20),
        # Where the 报送人大 packages are kept (default: npc-packages/ under UPLOAD_DIR).
        "NPC_PACKAGE_DIR": os.environ.get("NPC_PACKAGE_DIR", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_FAILURE_LIMIT": os.environ.get("LOGIN_FAILURE_LIMIT", "5 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _env_int("SMTP_PORT", 25),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@czj.example.gov.cn"),
        "JSON_AS_ASCII": False,
    }
