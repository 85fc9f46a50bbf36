"""The portal's JSON API: signing in (two factors, replay, rate limits, expiry), the queue, a handover's detail,
status changes, notes and the audit trail. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from api.routes.portal_common import INVALID_MESSAGE
from tests.support.portal import ORG, OTHER_ORG, PASSWORD, World


def login(world: World, email: str, password: str = PASSWORD, code: str = "000000") -> tuple[int, dict[str, str]]:
    response = world.client.post("/api/portal/login", json={"email": email, "password": password, "totp": code})
    return response.status_code, response.json()


def test_a_worker_sees_her_handover_in_both_languages(portal_world: World) -> None:
    world = portal_world
    world.add_person("ana")
    handover_id = world.add_handover()
    world.add_handover(org=OTHER_ORG)
    world.sign_in("ana")
    queue = world.client.get("/api/portal/handovers").json()
    assert handover_id in [h["id"] for h in queue]
    assert {h["service"] for h in queue} == {ORG}
    detail = world.client.get(f"/api/portal/handovers/{handover_id}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert {"reference", "service", "need", "language", "contact", "status", "transcript"} <= set(body)
    assert body["service"] == ORG and body["status"] == "new" and body["language"] == "pl"
    assert body["created_at"].endswith("+00:00")  # UTC with its offset, on SQLite as on PostgreSQL
    assert body["contact"]["detail"] == "07700 900123" and body["contact"]["nickname"] == "Ania"
    assert body["transcript"][0] == {
        "role": "user",
        "text": "Mąż mnie bije",
        "text_en": "My husband beats me",
        "at": "2026-11-29T08:00:00+00:00",
    }


def test_the_queue_is_newest_first(portal_world: World) -> None:
    world = portal_world
    world.add_person("ana")
    first, second = world.add_handover(), world.add_handover()
    world.sign_in("ana")
    ids = [h["id"] for h in world.client.get("/api/portal/handovers").json()]
    assert ids.index(second) < ids.index(first)


@pytest.mark.parametrize(
    ("password", "code_offset", "why"),
    [
        ("wrong password entirely", 0, "wrong password"),
        (PASSWORD, None, "wrong TOTP code"),
        (PASSWORD, 5, "a code from the future"),
        (PASSWORD, -5, "an expired code"),
    ],
)
def test_each_wrong_factor_is_refused_with_the_same_message(
    portal_world: World, password: str, code_offset: int | None, why: str
) -> None:
    person = portal_world.add_person("ana")
    code = person.code(code_offset) if code_offset is not None else f"{(int(person.code()) + 1) % 1_000_000:06d}"
    status, body = login(portal_world, person.email, password, code)
    assert (status, body["detail"]) == (401, INVALID_MESSAGE), why
    assert not portal_world.client.cookies, why


def test_unknown_email_gets_exactly_the_answer_of_a_wrong_password(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    unknown = login(portal_world, "nobody@harbour.example.org", PASSWORD, person.code())
    wrong = login(portal_world, person.email, "not her password at all", person.code())
    assert unknown == wrong == (401, {"detail": INVALID_MESSAGE})


def test_a_disabled_worker_cannot_sign_in(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    portal_world.set_disabled(person)
    assert login(portal_world, person.email, PASSWORD, person.code()) == (401, {"detail": INVALID_MESSAGE})


def test_a_totp_code_works_once(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    code = person.code()
    assert login(portal_world, person.email, PASSWORD, code)[0] == 200
    portal_world.client.cookies.clear()
    assert login(portal_world, person.email, PASSWORD, code) == (401, {"detail": INVALID_MESSAGE})


def test_email_is_case_insensitive_and_the_code_may_have_a_space(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    code = person.code()
    assert login(portal_world, person.email.upper(), PASSWORD, f"{code[:3]} {code[3:]}")[0] == 200


def test_failed_sign_ins_are_rate_limited_per_account(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    limit = portal_world.runtime.settings.login_max_failures_per_account
    for _ in range(limit):
        assert login(portal_world, person.email, "wrong password here")[0] == 401
    status, body = login(portal_world, person.email, PASSWORD, person.code())
    assert status == 429
    assert "Too many failed sign-in attempts" in body["detail"] and "15 minutes" in body["detail"]
    # An unknown account is limited in exactly the same way: the limit reveals nothing either.
    for _ in range(limit):
        login(portal_world, "nobody@harbour.example.org", "wrong password here")
    assert login(portal_world, "nobody@harbour.example.org", PASSWORD)[0] == 429


def test_failed_sign_ins_are_rate_limited_per_address(portal_world: World) -> None:
    limit = portal_world.runtime.settings.login_max_failures_per_address
    for n in range(limit):
        assert login(portal_world, f"guess{n}@harbour.example.org", "wrong password here")[0] == 401
    person = portal_world.add_person("ana")
    assert login(portal_world, person.email, PASSWORD, person.code())[0] == 429


def test_a_successful_sign_in_clears_the_account_failures(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    limit = portal_world.runtime.settings.login_max_failures_per_account
    for _ in range(limit - 1):
        login(portal_world, person.email, "wrong password here")
    assert login(portal_world, person.email, PASSWORD, person.code())[0] == 200
    portal_world.client.cookies.clear()
    for _ in range(limit - 1):
        assert login(portal_world, person.email, "wrong password here")[0] == 401


def test_the_session_cookie_is_httponly_strict_and_secure(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    response = portal_world.client.post(
        "/api/portal/login", json={"email": person.email, "password": PASSWORD, "totp": person.code()}
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-portal=")
    for flag in ("HttpOnly", "SameSite=strict", "Secure", "Path=/"):
        assert flag.lower() in cookie.lower(), flag
    assert "max-age" not in cookie.lower() and "expires" not in cookie.lower()  # gone when the browser closes


@pytest.mark.parametrize(("delta", "why"), [({"minutes": 16}, "idle"), ({"hours": 9}, "absolute")])
def test_an_expired_session_is_refused(portal_world: World, delta: dict[str, float], why: str) -> None:
    portal_world.add_person("ana")
    portal_world.sign_in("ana")
    assert portal_world.client.get("/api/portal/handovers").status_code == 200
    portal_world.age_sessions(**delta)
    assert portal_world.client.get("/api/portal/handovers").status_code == 401, why


def test_activity_keeps_a_session_alive_until_the_absolute_limit(portal_world: World) -> None:
    portal_world.add_person("ana")
    portal_world.sign_in("ana")
    portal_world.age_sessions(minutes=10)
    assert portal_world.client.get("/api/portal/handovers").status_code == 200  # touched: idle clock restarts
    portal_world.age_sessions(minutes=10)
    assert portal_world.client.get("/api/portal/handovers").status_code == 200


def test_logout_ends_the_session_on_the_server(portal_world: World) -> None:
    portal_world.add_person("ana")
    csrf = portal_world.sign_in("ana")
    token = portal_world.client.cookies.get("__Host-portal")
    assert portal_world.client.post("/api/portal/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    portal_world.client.cookies.set("__Host-portal", token or "")  # a copied cookie is worthless afterwards
    assert portal_world.client.get("/api/portal/handovers").status_code == 401


@pytest.mark.parametrize("header", [None, "", "not-the-token"])
def test_state_changes_need_the_csrf_token(portal_world: World, header: str | None) -> None:
    portal_world.add_person("ana")
    handover_id = portal_world.add_handover()
    portal_world.sign_in("ana")
    headers = {} if header is None else {"X-CSRF-Token": header}
    calls = [
        (f"/api/portal/handovers/{handover_id}/status", {"status": "accepted"}),
        (f"/api/portal/handovers/{handover_id}/notes", {"text": "Called, no answer."}),
        ("/api/portal/logout", None),
    ]
    for path, body in calls:
        assert portal_world.client.post(path, json=body, headers=headers).status_code == 403, path
    assert portal_world.client.get(f"/api/portal/handovers/{handover_id}").json()["status"] == "new"


def test_accept_then_close_with_an_outcome(portal_world: World) -> None:
    portal_world.add_person("ana")
    handover_id = portal_world.add_handover()
    csrf = portal_world.sign_in("ana")
    post = portal_world.client.post
    url = f"/api/portal/handovers/{handover_id}/status"
    headers = {"X-CSRF-Token": csrf}
    assert post(url, json={"status": "closed"}, headers=headers).status_code == 409  # an outcome is required
    assert post(url, json={"status": "accepted"}, headers=headers).json()["status"] == "accepted"
    assert post(url, json={"status": "accepted"}, headers=headers).status_code == 409
    closed = post(url, json={"status": "closed", "outcome": "supported"}, headers=headers).json()
    assert (closed["status"], closed["outcome"]) == ("closed", "supported")
    assert post(url, json={"status": "accepted"}, headers=headers).status_code == 409  # closed is final
    assert post(url, json={"status": "deleted"}, headers=headers).status_code == 422


def test_notes_are_redacted_like_victims_messages(portal_world: World) -> None:
    portal_world.add_person("ana")
    handover_id = portal_world.add_handover(language="en")
    csrf = portal_world.sign_in("ana")
    note = "Spoke to her. She has no visa. She wants to leave him this week."
    added = portal_world.client.post(
        f"/api/portal/handovers/{handover_id}/notes", json={"text": note}, headers={"X-CSRF-Token": csrf}
    )
    assert added.status_code == 201
    notes = portal_world.client.get(f"/api/portal/handovers/{handover_id}").json()["notes"]
    assert len(notes) == 1
    assert "visa" not in notes[0]["text"].lower() and "leave him this week" in notes[0]["text"]
    assert notes[0]["author"] == portal_world.people["ana"].email


def test_the_audit_trail_records_who_did_what_but_no_content(portal_world: World) -> None:
    world = portal_world
    world.add_person("ana")
    world.add_person("boss", role="admin")
    handover_id = world.add_handover()
    login(world, world.people["ana"].email, "a wrong password!")
    csrf = world.sign_in("ana")
    world.client.get(f"/api/portal/handovers/{handover_id}")
    headers = {"X-CSRF-Token": csrf}
    world.client.post(f"/api/portal/handovers/{handover_id}/status", json={"status": "accepted"}, headers=headers)
    world.client.post(
        f"/api/portal/handovers/{handover_id}/notes", json={"text": "Ania asked for mornings"}, headers=headers
    )
    world.sign_in("boss")
    events = world.client.get("/api/portal/audit").json()
    ana = world.people["ana"].email
    mine = [(e["action"], e["detail"]) for e in reversed(events) if e["worker"] == ana]
    assert [a for a, _ in mine] == [
        "login_failed",
        "login",
        "view_handover",
        "decrypt_contact",
        "status_change",
        "add_note",
    ]
    assert ("status_change", "accepted") in mine
    text = str(events)
    for content in ("Ania", "07700", "mornings", "Mąż", "husband"):
        assert content not in text


def test_an_admin_reads_only_her_own_organisations_audit(portal_world: World) -> None:
    world = portal_world
    world.add_person("ana")
    world.add_person("rival", org=OTHER_ORG, role="admin")
    world.sign_in("ana")
    world.sign_in("rival")
    events = world.client.get("/api/portal/audit").json()
    assert world.people["ana"].email not in str(events)
    assert world.people["rival"].email in str(events)
