"""`rasa run`, with Rasa 3.6's check of each action server response built once per process, not once per call.

Rasa 3.6.21 validates every answer of the action server with `jsonschema.validate`, which first checks Rasa's own
response schema against the JSON Schema metaschema: about 40 ms per action call with the jsonschema 4.17 that Rasa
pins, 58% of Rasa's CPU in a py-spy profile of the scripted conversation (bench/conversations.py). Every answer is
still validated, with the same schema and the same error, by a validator built once. api/stack.py starts Rasa as
`python -m bot.serve run ...`; anything else is Rasa's own command line. The HTTP API's check of the events it
receives (the gateway's erase) had the same cost and gets the same treatment.
"""

from __future__ import annotations

import sys
from http import HTTPStatus
from typing import Any


def use_one_validator() -> None:
    from jsonschema import ValidationError, validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def validate_events_once() -> None:
    """The same for the events the HTTP API receives (the gateway's erase of a tracker replaces its events)."""
    from jsonschema import validators
    from jsonschema.exceptions import best_match
    from rasa import server

    validator_class = validators.validator_for(server.EVENTS_SCHEMA)
    validator_class.check_schema(server.EVENTS_SCHEMA)
    validator = validator_class(server.EVENTS_SCHEMA)

    def validate_events_in_request_body(request: Any) -> None:
        events = request.json if isinstance(request.json, list) else [request.json]
        error = best_match(validator.iter_errors(events))
        if error is not None:
            raise server.ErrorResponse(
                HTTPStatus.BAD_REQUEST,
                "BadRequest",
                "Failed to validate the events format. For more information about the format visit the docs. "
                f"Error: {error}",
                help_url=server._docs("/pages/http-api"),
            ) from error

    server.validate_events_in_request_body = validate_events_in_request_body


def main() -> None:
    use_one_validator()
    validate_events_once()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
