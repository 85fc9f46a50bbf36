"""Every portal page and API endpoint × every kind of visitor: only the allowed cells succeed.

Visitors: nobody signed in, a worker of another organisation, a worker of the organisation, its admin, and a
worker of the organisation who was disabled after signing in. A foreign handover answers exactly like a missing
one. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.portal import OTHER_ORG, World

VISITORS = ("anonymous", "other_org_worker", "worker", "admin", "disabled_worker")
SIGN_IN = ("redirect", "/portal/login")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {handover} and {worker} are filled in per cell
    body: str  # "json:..." API body kind, "form" for a page form, "" for none
    # What each visitor gets: a status code, or ("redirect", where).
    expect: dict[str, object]


def _expect(anonymous: object, other: object, worker: object, admin: object, disabled: object) -> dict[str, object]:
    return dict(zip(VISITORS, (anonymous, other, worker, admin, disabled), strict=True))


ROUTES = [
    # JSON API
    Route("GET", "/api/portal/handovers", "", _expect(401, 200, 200, 200, 401)),
    Route("GET", "/api/portal/handovers/{handover}", "", _expect(401, 404, 200, 200, 401)),
    Route("POST", "/api/portal/handovers/{handover}/status", "json:status", _expect(401, 404, 200, 200, 401)),
    Route("POST", "/api/portal/handovers/{handover}/notes", "json:note", _expect(401, 404, 201, 201, 401)),
    Route("GET", "/api/portal/audit", "", _expect(401, 403, 403, 200, 401)),
    Route("POST", "/api/portal/logout", "json:none", _expect(401, 204, 204, 204, 401)),
    # Pages
    Route("GET", "/portal/login", "", _expect(200, 200, 200, 200, 200)),
    Route("GET", "/portal", "", _expect(SIGN_IN, 200, 200, 200, SIGN_IN)),
    Route("GET", "/portal/handovers/{handover}", "", _expect(SIGN_IN, 404, 200, 200, SIGN_IN)),
    Route(
        "POST",
        "/portal/handovers/{handover}/status",
        "form:status",
        _expect(SIGN_IN, 404, ("redirect", "/portal/handovers/"), ("redirect", "/portal/handovers/"), SIGN_IN),
    ),
    Route(
        "POST",
        "/portal/handovers/{handover}/notes",
        "form:note",
        _expect(SIGN_IN, 404, ("redirect", "/portal/handovers/"), ("redirect", "/portal/handovers/"), SIGN_IN),
    ),
    Route("POST", "/portal/logout", "form:none", _expect(SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN)),
    Route("GET", "/portal/account", "", _expect(SIGN_IN, 200, 200, 200, SIGN_IN)),
    # A wrong current password: the change is refused, but only to someone signed in (422, not a redirect).
    Route("POST", "/portal/account/password", "form:password", _expect(SIGN_IN, 422, 422, 422, SIGN_IN)),
    Route("GET", "/portal/audit", "", _expect(SIGN_IN, 403, 403, 200, SIGN_IN)),
    Route("GET", "/portal/admin", "", _expect(SIGN_IN, 403, 403, 200, SIGN_IN)),
    Route("POST", "/portal/admin/workers", "form:worker", _expect(SIGN_IN, 403, 403, 200, SIGN_IN)),
    Route(
        "POST",
        "/portal/admin/workers/{worker}/disabled",
        "form:disable",
        _expect(SIGN_IN, 403, 403, ("redirect", "/portal/admin"), SIGN_IN),
    ),
    Route("POST", "/portal/admin/workers/{worker}/reset", "form:none", _expect(SIGN_IN, 403, 403, 200, SIGN_IN)),
    # Signing in depends on the credentials sent, never on a session already held: wrong ones fail for all.
    Route("POST", "/api/portal/login", "json:bad_login", _expect(401, 401, 401, 401, 401)),
    Route("POST", "/portal/login", "form:bad_login", _expect(403, 403, 403, 403, 403)),  # no sign-in form cookie
    Route(
        "POST",
        "/portal/admin/notice",
        "form:notice",
        _expect(SIGN_IN, 403, 403, ("redirect", "/portal/admin"), SIGN_IN),
    ),
]

BAD_LOGIN = {"email": "someone@harbour.example.org", "password": "not a password", "totp": "000000"}
FORMS = {
    "form:status": {"status": "accepted"},
    "form:note": {"text": "Left no message, as she asked."},
    "form:none": {},
    "form:worker": {"email": "new-{n}@harbour.example.org", "role": "worker"},
    "form:disable": {"disabled": "true"},
    "form:notice": {"webhook": "https://hooks.example.org/portal"},
    "form:bad_login": BAD_LOGIN,
    "form:password": {"current": "not the password", "new": "a new long password", "repeated": "a new long password"},
}
JSON = {
    "json:status": {"status": "accepted"},
    "json:note": {"text": "Called back."},
    "json:none": None,
    "json:bad_login": BAD_LOGIN,
}


def _visit(world: World, visitor: str) -> str:
    """Sign the client in as the visitor; returns her CSRF token (a dummy one for nobody)."""
    world.client.cookies.clear()
    if visitor == "anonymous":
        return "no-session"
    csrf = world.sign_in(visitor)
    if visitor == "disabled_worker":
        world.set_disabled(world.people[visitor])
    return csrf


def _request(world: World, route: Route, csrf: str) -> httpx.Response:
    path = route.path
    if "{handover}" in path:
        path = path.replace("{handover}", world.add_handover())
    if "{worker}" in path:
        path = path.replace("{worker}", str(world.add_person(f"t{uuid.uuid4().hex[:6]}").id))
    send = world.client.request
    if route.body.startswith("json:"):
        return send(route.method, path, json=JSON[route.body], headers={"X-CSRF-Token": csrf})
    if route.body.startswith("form:"):
        form = {k: v.format(n=uuid.uuid4().hex[:8]) for k, v in FORMS[route.body].items()}
        return send(route.method, path, data={**form, "csrf": csrf}, follow_redirects=False)
    return send(route.method, path, follow_redirects=False)


@pytest.fixture
def world(portal_world: World) -> World:
    portal_world.add_person("other_org_worker", org=OTHER_ORG)
    portal_world.add_person("worker")
    portal_world.add_person("admin", role="admin")
    portal_world.add_person("disabled_worker")
    return portal_world


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_authorisation_matrix(world: World, route: Route) -> None:
    outcomes = {}
    for visitor in VISITORS:
        csrf = _visit(world, visitor)
        response = _request(world, route, csrf)
        expected = route.expect[visitor]
        if isinstance(expected, tuple):
            location = response.headers.get("location", "")
            outcomes[visitor] = response.status_code == 303 and location.startswith(expected[1])
        else:
            outcomes[visitor] = response.status_code == expected
        assert outcomes[visitor], f"{visitor}: got {response.status_code} {response.headers.get('location', '')}"


def test_another_organisations_queue_never_lists_or_counts_ours(world: World) -> None:
    ours = world.add_handover()
    _visit(world, "other_org_worker")
    listed = world.client.get("/api/portal/handovers").json()
    assert ours not in str(listed) and all(h["service"] == OTHER_ORG for h in listed)
    page = world.client.get("/portal").text
    assert ours not in page


@pytest.mark.parametrize("path", ["/api/portal/handovers/{id}", "/portal/handovers/{id}"])
def test_a_foreign_id_answers_exactly_like_a_missing_one(world: World, path: str) -> None:
    ours = world.add_handover()
    _visit(world, "other_org_worker")
    answers = [
        world.client.get(path.format(id=candidate))
        for candidate in (ours, str(uuid.uuid4()), "not-a-uuid", ours.upper())
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1


def test_a_foreign_status_change_changes_nothing(world: World) -> None:
    ours = world.add_handover()
    csrf = _visit(world, "other_org_worker")
    world.client.post(
        f"/api/portal/handovers/{ours}/status", json={"status": "accepted"}, headers={"X-CSRF-Token": csrf}
    )
    _visit(world, "worker")
    assert world.client.get(f"/api/portal/handovers/{ours}").json()["status"] == "new"


def test_disabling_a_worker_in_the_portal_ends_her_sessions(world: World) -> None:
    _visit(world, "worker")
    worker_cookies = dict(world.client.cookies)
    admin_csrf = _visit(world, "admin")
    target = world.people["worker"].id
    disabled = world.client.post(
        f"/portal/admin/workers/{target}/disabled",
        data={"disabled": "true", "csrf": admin_csrf},
        follow_redirects=False,
    )
    assert disabled.status_code == 303
    world.client.cookies.clear()
    for name, value in worker_cookies.items():
        world.client.cookies.set(name, value)
    assert world.client.get("/api/portal/handovers").status_code == 401


def test_an_admin_cannot_disable_a_worker_of_another_organisation(world: World) -> None:
    csrf = _visit(world, "admin")
    foreign = world.people["other_org_worker"].id
    response = world.client.post(f"/portal/admin/workers/{foreign}/disabled", data={"disabled": "true", "csrf": csrf})
    assert response.status_code == 404
    _visit(world, "other_org_worker")
    assert world.client.get("/api/portal/handovers").status_code == 200


def test_an_admin_cannot_reset_a_worker_of_another_organisation(world: World) -> None:
    csrf = _visit(world, "admin")
    foreign = world.people["other_org_worker"].id
    assert world.client.post(f"/portal/admin/workers/{foreign}/reset", data={"csrf": csrf}).status_code == 404
    _visit(world, "other_org_worker")  # her password and code still work


def _served(routes: list[Any]) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, through included routers too."""
    served: set[tuple[str, str]] = set()
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            served |= _served(list(included.routes))
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                served.add((method, str(route.path)))
    return served


def test_every_portal_route_is_in_the_matrix(world: World) -> None:
    """A new portal route without a row here fails: its authorisation has to be decided, not forgotten."""
    named = {"{handover_id}": "{handover}", "{worker_id}": "{worker}"}

    def row_of(path: str) -> str:
        for served_name, matrix_name in named.items():
            path = path.replace(served_name, matrix_name)
        return path

    served = {
        (method, row_of(path))
        for method, path in _served(list(world.client.app.routes))  # type: ignore[attr-defined]
        if path.startswith(("/portal", "/api/portal"))
    }
    assert len(served) >= 20, "the app's routes were not found (has FastAPI's routing changed?)"
    assert served == {(route.method, route.path) for route in ROUTES}
