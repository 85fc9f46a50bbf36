"""Property-based fuzzing of the payload gate (api.conversation.check_payload and PAYLOAD_PATTERN).

A payload is what a button sends and what drives Rasa's dialogue, so it must never carry her own words into
Rasa's tracker. The gate's promises, each guarded by a property here:

- any string at all is either returned unchanged or refused with BadInput (whose message is safe to show); any
  other exception would be a 500 and a payload half-handled;
- what it accepts is `/intent` or `/intent{...}` where `{...}` is a JSON object of at most two entities, each a
  name of lower-case letters and underscores mapping to a plain string: no escapes, none of the control
  characters JSON must escape, short (the limits PAYLOAD_PATTERN states), so no payload can carry a message;
- payloads built the way Rasa's buttons are (a valid intent, json.dumps of a string-valued dict within those
  limits) are accepted;
- non-string values, arrays, invalid JSON, upper-case, overlong or otherwise malformed intents, and entities beyond
  the limits are refused;
- the web chat's request schema (api/routes/webchat.py) serves the same pattern, so it accepts exactly the
  payloads the gate accepts: the two checks cannot drift apart.

The accepted shape is checked with a regular expression and json.loads of its own, not with PAYLOAD_PATTERN, so
a wrong pattern is caught rather than trusted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.conversation import PAYLOAD_PATTERN, BadInput, check_payload
from api.routes.webchat import PayloadIn

FUZZ = settings(max_examples=300, deadline=None, database=None, derandomize=True)

# The limits the gate promises (api/conversation.py): intent names, entity names and values, entity count.
MAX_INTENT = 64
MAX_NAME = 32
MAX_VALUE = 48
MAX_ENTITIES = 2
# What JSON must escape in a string (RFC 8259): a plain string holds none of these.
MUST_ESCAPE = '"\\' + "".join(chr(c) for c in range(0x20))
SHAPE = re.compile(r"/([a-z][a-z_]*)(\{.*\})?", re.DOTALL)


def _accepted(payload: str) -> bool:
    try:
        returned = check_payload(payload)
    except BadInput:
        return False
    assert returned == payload and type(returned) is str, "an accepted payload must come back unchanged"
    return True


# --- generators ------------------------------------------------------------------------------------------------

INTENT = st.from_regex(rf"[a-z][a-z_]{{0,{MAX_INTENT - 1}}}", fullmatch=True)
NAME = st.from_regex(rf"[a-z_]{{1,{MAX_NAME}}}", fullmatch=True)
PLAIN_VALUE = st.text(st.characters(codec="utf-8", exclude_characters=MUST_ESCAPE), max_size=MAX_VALUE)
SEPARATORS = st.sampled_from([(", ", ": "), (",", ":"), (",", ": "), (", ", ":")])
ENTITIES = st.dictionaries(NAME, PLAIN_VALUE, max_size=MAX_ENTITIES)


@st.composite
def valid_payloads(draw: st.DrawFn) -> str:
    """A payload as Rasa's buttons send it: an intent, and maybe json.dumps of its entities."""
    intent = draw(INTENT)
    if draw(st.booleans()):
        return "/" + intent
    return "/" + intent + json.dumps(draw(ENTITIES), ensure_ascii=False, separators=draw(SEPARATORS))


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    """A valid payload with a few characters inserted, deleted or replaced: the gate's edges."""
    payload = draw(valid_payloads())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(payload)))
        payload = payload[:at] + draw(st.text(max_size=2)) + payload[at + draw(st.integers(0, 2)) :]
    return payload


ANY_CHAR = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates: a str can hold them even if no phone sends them
    st.sampled_from([*'/{}[]":,\\ _-\n\r\t\x00\x7f\u2028', "a", "z", "A"]),
)
ANY_STRING = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.text(ANY_CHAR, max_size=300).map(lambda text: "/" + text),
    valid_payloads(),
    near_misses(),
    valid_payloads().map(lambda payload: payload + "\n"),
)

NOT_A_STRING: st.SearchStrategy[Any] = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(PLAIN_VALUE, max_size=2),
    st.dictionaries(NAME, PLAIN_VALUE, max_size=1),
)


# --- properties ----------------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=600)
@given(ANY_STRING)
@example("")
@example("/")
@example("/greet\n")
@example('/inform{"a":"b"}\n')
@example("/inform{" + "[" * 190 + "}")
@example("/inform{\ud800}")
def test_any_string_is_returned_unchanged_or_refused(payload: str) -> None:
    """The gate answers every string with the string itself or BadInput, never another exception."""
    _accepted(payload)


@settings(FUZZ, max_examples=600)
@given(ANY_STRING)
@example('/inform{"handover_service":"harbour"}')
@example('/inform{"a":"}"}')
def test_what_is_accepted_is_an_intent_with_at_most_two_plain_string_entities(payload: str) -> None:
    """Whatever gets through has the promised shape and nothing more: so no payload can carry her words."""
    if not _accepted(payload):
        return
    shape = SHAPE.fullmatch(payload)
    assert shape is not None, payload
    assert len(shape.group(1)) <= MAX_INTENT
    if shape.group(2) is None:
        return
    assert "\\" not in shape.group(2), "no escapes"
    entities = json.loads(shape.group(2))
    assert isinstance(entities, dict) and len(entities) <= MAX_ENTITIES
    for name, value in entities.items():
        assert re.fullmatch(rf"[a-z_]{{1,{MAX_NAME}}}", name), name
        assert isinstance(value, str) and len(value) <= MAX_VALUE
        assert not set(value) & set(MUST_ESCAPE)


@settings(FUZZ)
@given(valid_payloads())
@example("/greet")
@example('/inform{"handover_service": "harbour"}')
@example('/choose_language{"language":"pl"}')
@example("/" + "a" * MAX_INTENT + "{}")
@example('/inform{"' + "n" * MAX_NAME + '":"' + "v" * MAX_VALUE + '","b":""}')
def test_payloads_built_like_rasa_buttons_are_accepted(payload: str) -> None:
    """A button's payload within the limits is never refused: a refused button is a dead end for her."""
    assert _accepted(payload), payload
    assert PAYLOAD_PATTERN.fullmatch(payload)


@st.composite
def entities_with_a_non_string(draw: st.DrawFn) -> dict[str, Any]:
    """Entities within the limits but for one value that is not a string."""
    entities: dict[str, Any] = draw(st.dictionaries(NAME, PLAIN_VALUE, max_size=MAX_ENTITIES - 1))
    entities[draw(NAME.filter(lambda name: name not in entities))] = draw(NOT_A_STRING)
    return entities


@settings(FUZZ)
@given(INTENT, entities_with_a_non_string(), SEPARATORS)
@example("inform", {"handover_service": 1}, (",", ":"))
@example("inform", {"a": None}, (",", ":"))
@example("inform", {"a": ["b"]}, (",", ":"))
@example("inform", {"a": {"b": "c"}}, (",", ":"))
@example("inform", {"a": float("nan")}, (",", ":"))
def test_entities_that_are_not_strings_are_refused(
    intent: str, entities: dict[str, Any], separators: tuple[str, str]
) -> None:
    """Numbers, booleans, null, arrays and objects are not what a button sends: one of them refuses the payload."""
    assert not _accepted("/" + intent + json.dumps(entities, separators=separators))


@st.composite
def invalid_json(draw: st.DrawFn) -> str:
    """Braces around something that is not a JSON object: the shapes people and broken clients produce."""
    name, value = draw(NAME), draw(PLAIN_VALUE.map(lambda v: v.replace("'", "")))
    return draw(
        st.sampled_from(
            [
                f"{{'{name}': '{value}'}}",  # single quotes
                f'{{"{name}": "{value}",}}',  # trailing comma
                f'{{{name}: "{value}"}}',  # unquoted name
                f'{{"{name}" "{value}"}}',  # no colon
                f'{{"{name}": "{value}"',  # no closing brace
                f'{{"{name}": "{value}"}}}}',  # one brace too many
                f'["{name}", "{value}"]',  # an array
                f'{{["{name}", "{value}"]}}',  # an array in braces
                f'{{"{name}": "{value}"}}{{"{name}": "{value}"}}',  # two objects
                f'{{"{name}": "{value}}}',  # unterminated string
            ]
        )
    )


@settings(FUZZ)
@given(INTENT, invalid_json())
@example("inform", "{'a': 'b'}")
@example("inform", '["a"]')
def test_invalid_json_and_arrays_are_refused(intent: str, body: str) -> None:
    assert not _accepted("/" + intent + body)


@st.composite
def bad_intents(draw: st.DrawFn) -> str:
    """Intent names a domain never has: an upper-case letter, a digit, a hyphen, a space, a non-ASCII letter,
    a leading underscore, or more than 64 characters."""
    intent = draw(INTENT)
    kind = draw(st.sampled_from(["upper", "odd", "leading", "long"]))
    if kind == "upper":
        at = draw(st.integers(0, len(intent) - 1))
        return intent[:at] + draw(st.sampled_from("ABCXYZ")) + intent[at + 1 :]
    if kind == "odd":
        at = draw(st.integers(1, len(intent)))
        return intent[:at] + draw(st.sampled_from(["0", "9", "-", " ", "é", "ı", "\u212a", ".", "\n"])) + intent[at:]
    if kind == "leading":
        return draw(st.sampled_from(["_", "0", "A", " "])) + intent
    return intent + draw(st.from_regex(rf"[a-z_]{{{MAX_INTENT - len(intent) + 1},80}}", fullmatch=True))


@settings(FUZZ)
@given(bad_intents(), st.one_of(st.just(""), ENTITIES.map(json.dumps)))
@example("Greet", "")
@example("GREET", "")
@example("a" * (MAX_INTENT + 1), "")
@example("greet\n", "")
@example("gre\u212aet", "")  # the Kelvin sign: [a-z] would match it if the pattern were made case-insensitive
def test_malformed_intents_are_refused(intent: str, body: str) -> None:
    assert not _accepted("/" + intent + body)


@st.composite
def entities_beyond_the_limits(draw: st.DrawFn) -> str:
    """JSON objects of strings, valid but outside the limits: a payload must stay too small to carry a message."""
    kind = draw(st.sampled_from(["many", "long_value", "long_name", "bad_name", "escaped"]))
    entities = dict(draw(st.lists(st.tuples(NAME, PLAIN_VALUE), min_size=1, max_size=MAX_ENTITIES)))
    name = next(iter(entities))
    if kind == "many":
        entities.update(draw(st.dictionaries(NAME, PLAIN_VALUE, min_size=MAX_ENTITIES + 1, max_size=5)))
        assert len(entities) > MAX_ENTITIES
    elif kind == "long_value":
        entities[name] = draw(st.text(st.sampled_from("abc xyz"), min_size=MAX_VALUE + 1, max_size=200))
    elif kind == "long_name":
        entities = {draw(st.from_regex(rf"[a-z_]{{{MAX_NAME + 1},60}}", fullmatch=True)): entities[name]}
    elif kind == "bad_name":
        entities = {draw(st.sampled_from(["", "Name", "name1", "na-me", "na me", "é"])): entities[name]}
    else:
        entities[name] = draw(st.text(st.sampled_from(MUST_ESCAPE), min_size=1, max_size=4))
    return json.dumps(entities, ensure_ascii=False, separators=draw(SEPARATORS))


@settings(FUZZ)
@given(INTENT, entities_beyond_the_limits())
@example("inform", '{"a":"1","b":"2","c":"3"}')
@example("inform", '{"a":"' + "x" * (MAX_VALUE + 1) + '"}')
@example("inform", '{"a":"\\u0041"}')
@example("inform", '{"a":"line\\nbreak"}')
def test_entities_beyond_the_limits_are_refused(intent: str, body: str) -> None:
    assert not _accepted("/" + intent + body)


@pytest.mark.parametrize("separator", ["\n", "\r\n"])
def test_a_trailing_new_line_is_refused(separator: str) -> None:
    """`$` matches before a final new line: the gate must refuse it (it uses a full match)."""
    assert not _accepted("/greet" + separator)
    assert not _accepted('/inform{"a":"b"}' + separator)


@settings(FUZZ, max_examples=400)
@given(ANY_STRING)
@example("/greet\n")
@example('/inform{"a":"\u2028"}')
def test_the_web_chat_schema_accepts_exactly_what_the_gate_accepts(payload: str) -> None:
    """The schema validates PAYLOAD_PATTERN with pydantic's own regex engine: if the engines read the pattern
    differently, a payload could pass one check and not the other."""
    try:
        PayloadIn(payload=payload)
    except ValidationError:
        by_schema = False
    else:
        by_schema = True
    assert by_schema == _accepted(payload), payload
