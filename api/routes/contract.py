"""What the OpenAPI schema promises beyond the route signatures: every refusal a route can give, and the limits
only the running gateway knows (its languages, its message length), so a client built from the schema is never
surprised by an answer.

The schema describes the JSON APIs (the chat, the portal's API, /healthz). Not in it: the portal's HTML pages (for
browsers), /actions/webhook (it answers only Rasa, behind the internal secret) and /sms/twilio (Twilio's
signed callback, whose contract is Twilio's).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

DESCRIPTIONS = {
    400: "The request cannot be read",
    401: "Not signed in, or the credentials are wrong",
    403: "Signed in but not allowed: the CSRF token is missing or wrong, or the action is for admins",
    404: "No such resource (or not one of yours)",
    409: "Not allowed in the current state",
    413: "The request body is larger than the gateway accepts; it was not read",
    422: "The request does not follow this schema, or a value is refused (the reason is given)",
    429: "Too many requests from this client; wait for the Retry-After seconds",
}


# What any route that reads a body can refuse before the route itself runs: unreadable, too large, off-schema.
BODY_CODES = (400, 413, 422)


class ErrorOut(BaseModel):
    """A refusal: a reason safe to show (it never repeats what was sent). Validation errors list the fields."""

    detail: str | list[dict[str, Any]]


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: each code it can refuse with, and the body that comes with it."""
    return {code: {"model": ErrorOut, "description": DESCRIPTIONS[code]} for code in codes}


def _set_property(schema: dict[str, Any], model: str, name: str, **constraints: Any) -> None:
    """Narrow a string property (possibly nullable) of a component to what the server accepts."""
    prop = schema["components"]["schemas"][model]["properties"][name]
    variants = prop.get("anyOf", [prop])
    for variant in variants:
        if variant.get("type") == "string":
            variant.update(constraints)


def build_openapi(app: FastAPI, languages: list[str], max_message_chars: int) -> dict[str, Any]:
    """The schema once, with the running gateway's own limits written in."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        _set_property(schema, "NewSession", "language", enum=sorted(languages))
        _set_property(schema, "TextIn", "text", maxLength=max_message_chars)
        app.openapi_schema = schema
    return app.openapi_schema
