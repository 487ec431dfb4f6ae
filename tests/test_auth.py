"""Logging in, tokens and the session: who gets in and how."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import ApiToken, AuditEvent
from workflow_app.models.types import utcnow

from .conftest import csrf_from


def test_token_for_good_credentials_and_me(api):
    client = api("rsj_filer")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json() == {"username": "rsj_filer", "name": "人社局 张填报",
                             "roles": ["department_filer"], "department": "rsj"}


def test_wrong_password_and_unknown_user_are_401(api):
    anonymous = api()
    for body in ({"username": "rsj_filer", "password": "wrong"}, {"username": "nobody", "password": "x"}):
        response = anonymous.post("/api/v1/auth/token", json=body)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_missing_or_bad_token_is_401(api):
    anonymous = api()
    assert anonymous.get("/api/v1/me").status_code == 401
    anonymous.token = "not-a-token"
    assert anonymous.get("/api/v1/tasks").status_code == 401


def test_malformed_json_is_400(api):
    anonymous = api()
    response = anonymous.client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_revoked_and_expired_tokens_stop_working(app, api):
    client = api("jxk")
    assert client.delete("/api/v1/auth/token").status_code == 200
    assert client.get("/api/v1/me").status_code == 401

    other = api("jxk")
    with app.app_context():
        for token in db.session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))):
            token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert other.get("/api/v1/me").status_code == 401


def test_tokens_are_stored_only_as_hashes(app, api):
    client = api("jxk")
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert client.token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_login_page_needs_csrf_and_logs_in(app):
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    refused = client.post("/login", data={"username": "jxk", "password": "demo-pass-2026"})
    assert refused.status_code in (400, 422)
    assert client.get("/tasks").status_code == 302  # still not logged in

    token = csrf_from(client.get("/login").get_data(as_text=True))
    bad = client.post("/login", data={"username": "jxk", "password": "nope", "csrf_token": token})
    assert bad.status_code == 422 and "用户名或密码错误" in bad.get_data(as_text=True)
    good = client.post("/login", data={"username": "jxk", "password": "demo-pass-2026", "csrf_token": token})
    assert good.status_code == 302 and good.headers["Location"].endswith("/tasks")
    assert client.get("/tasks").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).first() is not None


def test_logout_needs_post_with_csrf_and_ends_the_session(browser):
    client = browser("jxk")
    assert client.post("/logout").status_code == 400  # no CSRF token
    page = client.get("/tasks").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert client.get("/tasks").status_code == 302


def test_login_redirect_never_leaves_the_site(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "jxk", "password": "demo-pass-2026", "csrf_token": token})
    assert response.headers["Location"].endswith("/tasks")


def test_session_cookie_is_httponly_and_samesite(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "jxk", "password": "demo-pass-2026", "csrf_token": token})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed(app):
    from workflow_app.models import User
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "jxk")).one()
        assert "demo-pass-2026" not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_five_failed_logins_a_minute_lock_the_account_from_that_address(api, app):
    anonymous = api()
    for _ in range(5):
        assert anonymous.post("/api/v1/auth/token", json={"username": "jxk", "password": "guess"}).status_code == 401
    locked = anonymous.post("/api/v1/auth/token", json={"username": "jxk", "password": "demo-pass-2026"})
    assert locked.status_code == 429 and locked.get_json()["error"] == "too_many_requests"
    # another account from the same address is not locked, and good logins never count
    for _ in range(6):
        assert anonymous.post("/api/v1/auth/token", json={"username": "sbk", "password": "demo-pass-2026"}).status_code == 200


def test_login_page_is_throttled_too(app):
    client = app.test_client()
    for _ in range(5):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"username": "rsj_head", "password": "x", "csrf_token": token}).status_code == 422
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "rsj_head", "password": "demo-pass-2026", "csrf_token": token})
    assert response.status_code == 429


def test_python_looking_text_is_stored_never_run(app, api):
    from .helpers import RSJ, project_id, start
    start(api("jxk"), "test_approval", {}, project_id(app, RSJ))
    filer = api("rsj_filer")
    payload = "__import__('os').system('touch /tmp/pwned-by-test')"
    task = filer.tasks("group")[0]
    assert filer.complete(task["id"], {"text": payload}).status_code == 200
    import os
    assert not os.path.exists("/tmp/pwned-by-test")
    data = api("jxk").get(f"/api/v1/instances/{task['instance_id']}").get_json()["data"]
    assert data["text"] == payload
