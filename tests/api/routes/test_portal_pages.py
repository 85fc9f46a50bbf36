"""The portal's server-rendered pages: the sign-in form and its CSRF cookie, the queue, the detail view with
both languages side by side, forms guarded by CSRF, and the admin's team page."""

from __future__ import annotations

import re

import httpx
import pytest

from api.routes.portal_common import INVALID_MESSAGE
from api.routes.portal_pages import LOGIN_CSRF_COOKIE
from tests.support.portal import PASSWORD, Person, World


def form_csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in_by_form(world: World, person: Person, csrf: str | None = None) -> httpx.Response:
    world.client.cookies.clear()
    token = form_csrf(world.client.get("/portal/login"))
    form = {
        "email": person.email,
        "password": PASSWORD,
        "totp": person.code(),
        "csrf": csrf if csrf is not None else token,
    }
    return world.client.post("/portal/login", data=form, follow_redirects=False)


def test_sign_in_by_form_then_the_queue(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    handover_id = portal_world.add_handover()
    response = sign_in_by_form(portal_world, person)
    assert response.status_code == 303 and response.headers["location"] == "/portal"
    queue = portal_world.client.get("/portal")
    assert queue.status_code == 200
    assert f'href="/portal/handovers/{handover_id}"' in queue.text
    assert "Polish" in queue.text and 'lang="pl"' in queue.text and ">new<" in queue.text


@pytest.mark.parametrize("csrf", ["", "forged-token"])
def test_the_sign_in_form_needs_its_csrf_token(portal_world: World, csrf: str) -> None:
    person = portal_world.add_person("ana")
    response = sign_in_by_form(portal_world, person, csrf=csrf)
    assert response.status_code == 403
    assert "expired" in response.text and not portal_world.client.cookies.get("__Host-portal")


def test_the_sign_in_csrf_cookie_is_strict_and_httponly(portal_world: World) -> None:
    cookie = portal_world.client.get("/portal/login").headers["set-cookie"].lower()
    assert cookie.startswith(LOGIN_CSRF_COOKIE) and "httponly" in cookie and "samesite=strict" in cookie


def test_a_wrong_code_on_the_form_shows_the_one_message(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    token = form_csrf(portal_world.client.get("/portal/login"))
    form = {"email": person.email, "password": PASSWORD, "totp": "000000", "csrf": token}
    response = portal_world.client.post("/portal/login", data=form)
    assert response.status_code == 401 and INVALID_MESSAGE in response.text


def test_the_detail_page_shows_contact_and_both_languages_side_by_side(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    turns = [
        {
            "role": "user",
            "text": "زوجي يضربني <script>alert(1)</script>",
            "text_en": "My husband hits me",
            "at": "2026-11-29T08:00:00+00:00",
        },
    ]
    handover_id = portal_world.add_handover(language="ar", transcript=turns)
    sign_in_by_form(portal_world, person)
    page = portal_world.client.get(f"/portal/handovers/{handover_id}")
    assert page.status_code == 200
    assert "07700 900123" in page.text and "Ania" in page.text
    row = re.search(
        r'<td lang="ar" dir="rtl" class="original">(.*?)</td>\s*<td lang="en" class="english">(.*?)</td>',
        page.text,
        re.S,
    )
    assert row, page.text
    assert "زوجي يضربني" in row.group(1) and "&lt;script&gt;" in row.group(1) and "<script>" not in page.text
    assert row.group(2) == "My husband hits me"


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_every_form_needs_the_sessions_csrf_token(portal_world: World, csrf: str | None) -> None:
    person = portal_world.add_person("boss", role="admin")
    handover_id = portal_world.add_handover()
    sign_in_by_form(portal_world, person)
    extra = {} if csrf is None else {"csrf": csrf}
    forms = [
        (f"/portal/handovers/{handover_id}/status", {"status": "accepted"}),
        (f"/portal/handovers/{handover_id}/notes", {"text": "note"}),
        ("/portal/admin/workers", {"email": "x@harbour.example.org", "role": "worker"}),
        ("/portal/admin/notice", {"webhook": "https://hooks.example.org/a"}),
        (
            "/portal/account/password",
            {"current": PASSWORD, "new": "a new long password", "repeated": "a new long password"},
        ),
        ("/portal/logout", {}),
    ]
    for path, form in forms:
        response = portal_world.client.post(path, data={**form, **extra}, follow_redirects=False)
        assert response.status_code == 403, path
    assert portal_world.client.get("/api/portal/handovers").json()[0]["status"] == "new"


def test_accept_and_close_by_form(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    handover_id = portal_world.add_handover()
    sign_in_by_form(portal_world, person)
    page = portal_world.client.get(f"/portal/handovers/{handover_id}")
    csrf = form_csrf(page)
    url = f"/portal/handovers/{handover_id}/status"
    assert portal_world.client.post(url, data={"csrf": csrf, "status": "accepted"}).status_code == 200
    closed = portal_world.client.post(url, data={"csrf": csrf, "status": "closed", "outcome": "referred_elsewhere"})
    assert 'id="status">closed: referred elsewhere<' in closed.text
    again = portal_world.client.post(url, data={"csrf": csrf, "status": "accepted"})
    assert again.status_code == 409 and "already closed" in again.text


def test_an_admin_adds_a_worker_who_can_then_sign_in(portal_world: World) -> None:
    admin = portal_world.add_person("boss", role="admin")
    sign_in_by_form(portal_world, admin)
    csrf = form_csrf(portal_world.client.get("/portal/admin"))
    page = portal_world.client.post(
        "/portal/admin/workers", data={"csrf": csrf, "email": "New@harbour.example.org", "role": "worker"}
    )
    assert page.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', page.text)
    secret = re.search(r'id="new-totp">([^<]+)<', page.text)
    assert password and secret
    newcomer = Person("new@harbour.example.org", "harbour", "worker", secret.group(1), admin.id)
    portal_world.client.cookies.clear()
    body = {"email": newcomer.email, "password": password.group(1), "totp": newcomer.code()}
    assert portal_world.client.post("/api/portal/login", json=body).status_code == 200
    assert "new-password" not in portal_world.client.get("/portal").text


def test_an_admin_sets_and_clears_the_notice_targets(portal_world: World) -> None:
    admin = portal_world.add_person("boss", role="admin")
    sign_in_by_form(portal_world, admin)
    csrf = form_csrf(portal_world.client.get("/portal/admin"))
    refused = portal_world.client.post(
        "/portal/admin/notice", data={"csrf": csrf, "webhook": "http://hooks.example.org/a"}
    )
    assert refused.status_code == 422 and "https" in refused.text
    portal_world.client.post("/portal/admin/notice", data={"csrf": csrf, "webhook": "https://hooks.example.org/a"})
    assert 'value="https://hooks.example.org/a"' in portal_world.client.get("/portal/admin").text
    both = {"csrf": csrf, "webhook": "https://hooks.example.org/a", "email": "team@harbour.example.org"}
    portal_world.client.post("/portal/admin/notice", data=both)
    assert 'value="team@harbour.example.org"' in portal_world.client.get("/portal/admin").text
    bad = portal_world.client.post("/portal/admin/notice", data={**both, "email": "not an address"})
    assert bad.status_code == 422 and "not an email address" in bad.text
    portal_world.client.post("/portal/admin/notice", data={"csrf": csrf, "webhook": "", "email": ""})
    page = portal_world.client.get("/portal/admin").text
    assert 'id="webhook" name="webhook" type="url" value=""' in page and 'type="email" value=""' in page
    assert "SMTP_HOST" in page  # says that email needs the operator's mail server


def test_pages_load_nothing_from_elsewhere(portal_world: World) -> None:
    page = portal_world.client.get("/portal/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href)="(https?:)?//', page.text)


def test_a_worker_changes_her_password(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    sign_in_by_form(portal_world, person)
    csrf = form_csrf(portal_world.client.get("/portal/account"))
    new = "a brand new long pass phrase"
    wrong = {"csrf": csrf, "current": "not my password", "new": new, "repeated": new}
    refused = portal_world.client.post("/portal/account/password", data=wrong)
    assert refused.status_code == 422 and "current password is not right" in refused.text
    mismatch = {"csrf": csrf, "current": PASSWORD, "new": new, "repeated": new + "!"}
    assert "not the same" in portal_world.client.post("/portal/account/password", data=mismatch).text
    changed = portal_world.client.post(
        "/portal/account/password", data={"csrf": csrf, "current": PASSWORD, "new": new, "repeated": new}
    )
    assert changed.status_code == 200 and 'id="password-changed"' in changed.text
    portal_world.client.cookies.clear()
    portal_world.rewind_totp(person)
    old = {"email": person.email, "password": PASSWORD, "totp": person.code()}
    assert portal_world.client.post("/api/portal/login", json=old).status_code == 401
    portal_world.rewind_totp(person)
    assert portal_world.client.post("/api/portal/login", json={**old, "password": new}).status_code == 200


def test_refusals_on_pages_are_pages(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    sign_in_by_form(portal_world, person)
    for path, code in (("/portal/handovers/00000000-0000-4000-8000-000000000000", 404), ("/portal/audit", 403)):
        response = portal_world.client.get(path)
        assert response.status_code == code
        assert response.headers["content-type"].startswith("text/html") and "Back to the queue" in response.text


def test_new_sign_in_details_replace_the_old_ones_and_end_her_sessions(portal_world: World) -> None:
    world = portal_world
    ana = world.add_person("ana")
    world.sign_in("ana")
    ana_cookies = dict(world.client.cookies)
    admin = world.add_person("boss", role="admin")
    sign_in_by_form(world, admin)
    csrf = form_csrf(world.client.get("/portal/admin"))
    page = world.client.post(f"/portal/admin/workers/{ana.id}/reset", data={"csrf": csrf})
    assert page.status_code == 200 and "<svg" in page.text and "otpauth://totp/" in page.text
    password = re.search(r'id="new-password">([^<]+)<', page.text)
    secret = re.search(r'id="new-totp">([^<]+)<', page.text)
    assert password and secret and secret.group(1) != ana.secret
    world.client.cookies.clear()
    for name, value in ana_cookies.items():
        world.client.cookies.set(name, value)
    assert world.client.get("/api/portal/handovers").status_code == 401  # her old session has ended
    world.client.cookies.clear()
    old = {"email": ana.email, "password": PASSWORD, "totp": ana.code()}
    assert world.client.post("/api/portal/login", json=old).status_code == 401
    renewed = Person(ana.email, ana.org, ana.role, secret.group(1), ana.id)
    new = {"email": ana.email, "password": password.group(1), "totp": renewed.code()}
    assert world.client.post("/api/portal/login", json=new).status_code == 200
