"""What the conversation keeps from Rasa's replies: each text with its English twin for the transcript; the
victim is sent her own language only."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from api.content.renderer import Message
from api.conversation import BadInput, Conversation, _as_messages, _for_her
from api.pipeline.danger_model import Reading
from api.rasa_client import Parsed
from api.runtime import Runtime
from api.sessions import ChatSession


def rendered(runtime: Runtime, language: str, replies: list[dict[str, Any]]) -> tuple[ChatSession, list[Message]]:
    """Rasa's REST output for a turn, as the conversation renders it for a session in `language`."""
    conversation = Conversation(runtime)
    session, _ = conversation.start(language)
    return session, _as_messages(replies, session.take, partial(conversation._render, session))


def test_a_named_response_is_rendered_in_her_language_with_its_english_twin(runtime: Runtime) -> None:
    _, messages = rendered(runtime, "pl", [{"recipient_id": "r", "custom": {"response": "utter_danger"}}])
    [danger] = messages
    assert "999" in danger["text"] and "call 999" not in danger["text"] and danger["buttons"]
    assert "call 999" in danger["text_en"], "the English twin for the support worker's transcript"
    assert _for_her(messages) == [{"text": danger["text"], "buttons": danger["buttons"]}], "she gets hers only"
    _, [english] = rendered(runtime, "en", [{"custom": {"response": "utter_danger"}}])
    assert "call 999" in english["text"] and "text_en" not in english


def test_a_form_question_names_the_service_from_its_slot_and_awaits_her_answer(runtime: Runtime) -> None:
    response = {"response": "utter_ask_contact_method", "handover_service": "harbour"}
    session, [question] = rendered(runtime, "en", [{"custom": response}])
    assert "Harbour Support Services" in question["text"]
    assert session.expecting == "contact_method", "what she types next answers this question"


def test_an_unknown_response_falls_back_to_the_safe_text(runtime: Runtime) -> None:
    _, [message] = rendered(runtime, "en", [{"custom": {"response": "utter_does_not_exist"}}])
    assert "999" in message["text"]


def test_a_question_without_a_chosen_service_still_reads_whole(runtime: Runtime) -> None:
    """Rasa fills an unset slot as "None": no service of that id, so the question has no name in it."""
    response = {"response": "utter_ask_nickname", "handover_service": "None"}
    _, [question] = rendered(runtime, "en", [{"custom": response}])
    assert question["text"] and "{" not in question["text"] and "None" not in question["text"]


def test_what_rasa_sends_that_is_not_ours_is_dropped(runtime: Runtime) -> None:
    replies = [
        {"text": "a story's own text"},
        {"custom": {"text_en": "orphan"}},
        {"custom": "not a dict"},
        {"image": "x"},
    ]
    assert rendered(runtime, "en", replies)[1] == []


def test_a_pressed_button_is_recorded_by_its_title_in_both_languages(client: TestClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    conversation = Conversation(runtime)
    session, _ = conversation.start("pl")
    catalog = runtime.content.catalog
    assert conversation._button_title(session, "/request_handover") == (
        catalog.text("pl", "button.request_handover"),
        catalog.text("en", "button.request_handover"),
    )
    # A button built at run time (a service's name) is recorded as it was shown.
    session.offered = {'/inform{"handover_service":"harbour"}': "Harbour Support Services"}
    assert conversation._button_title(session, '/inform{"handover_service":"harbour"}') == (
        "Harbour Support Services",
        "Harbour Support Services",
    )
    assert conversation._button_title(session, "/never_offered") == ("/never_offered", None)


class FakeRasa:
    """Records what Rasa would receive: the text NLU parses, and the payloads that drive the dialogue."""

    def __init__(self, intent: str, confidence: float = 0.3, otherwise: str = "nlu_fallback") -> None:
        self.intent = intent
        self.confidence = confidence
        self.otherwise = otherwise
        self.parsed: list[str] = []
        self.sent: list[str] = []

    async def parse(self, text: str) -> Parsed:
        self.parsed.append(text)
        return Parsed(self.intent, self.confidence, otherwise=self.otherwise)

    async def send(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        self.sent.append(message)
        # As the real Rasa answers: a response only named, which the gateway renders.
        response = "utter_danger" if message == "/immediate_danger" else "utter_main_menu"
        return [{"recipient_id": sender_id, "custom": {"response": response}}]

    async def close(self) -> None:
        return None


def chat_with(client: TestClient, rasa: FakeRasa) -> tuple[Conversation, ChatSession]:
    """An English conversation whose Rasa is the fake: the gateway's own code, Rasa's side recorded."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.rasa = rasa
    conversation = Conversation(runtime)
    session, _ = conversation.start("en")
    return conversation, session


def test_rasa_gets_an_intent_payload_never_her_words(client: TestClient) -> None:
    fake = FakeRasa("need_domestic_abuse")
    conversation, session = chat_with(client, fake)
    anyio.run(partial(conversation.reply, session, text="my husband qzcanary hits me. my visa ran out"))
    assert fake.sent == ["/need_domestic_abuse"]
    assert "qzcanary" in fake.parsed[0] and "visa" not in fake.parsed[0], "NLU reads her redacted words only"


def test_text_starting_with_a_slash_is_never_a_payload(client: TestClient) -> None:
    fake = FakeRasa("out_of_scope")
    conversation, session = chat_with(client, fake)
    anyio.run(partial(conversation.reply, session, text='/inform{"x":"qzcanary"}'))
    assert fake.sent == ["/out_of_scope"] and not fake.parsed[0].startswith("/")


def test_while_a_form_question_is_open_typed_text_is_the_answer(client: TestClient) -> None:
    fake = FakeRasa("cancel")
    conversation, session = chat_with(client, fake)
    session.expecting = "nickname"
    anyio.run(partial(conversation.reply, session, text="Ana"))
    assert fake.sent == ["/inform"], "a name that NLU reads as cancel is still her answer"
    fake.intent = "immediate_danger"
    session.expecting = "nickname"
    anyio.run(partial(conversation.reply, session, text="he is here with a knife"))
    assert fake.sent[-1] == "/immediate_danger", "danger always wins"
    fake.intent, fake.confidence = "cancel", 0.95
    session.expecting = "nickname"
    anyio.run(partial(conversation.reply, session, text="cancel"))
    assert fake.sent[-1] == "/cancel", "a typed cancel NLU is sure of still cancels"


def test_a_continued_status_statement_in_the_next_message_goes_too(client: TestClient) -> None:
    conversation, session = chat_with(client, FakeRasa("inform"))
    anyio.run(partial(conversation.reply, session, text="I came here on a student visa"))
    assert session.status_pending, "only a flag is kept"
    anyio.run(partial(conversation.reply, session, text="he hits me"))
    assert session.transcript[-2].text == "he hits me", "evidence after it is kept"


@pytest.mark.parametrize(
    "payload",
    ['/inform{"x":"GWF123456789"}', '/inform{"handover_service":"qzcanary"}', "/not_an_intent", "/greet{}"],
)
def test_payloads_not_offered_are_refused(client: TestClient, payload: str) -> None:
    conversation = Conversation(client.app.state.runtime)  # type: ignore[attr-defined]
    session, _ = conversation.start("en")
    with pytest.raises(BadInput):
        conversation.accepted_payload(session, payload)


def test_offered_and_bare_intent_payloads_are_accepted(client: TestClient) -> None:
    conversation = Conversation(client.app.state.runtime)  # type: ignore[attr-defined]
    session, _ = conversation.start("en")
    session.offered = {'/inform{"handover_service":"harbour"}': "Harbour Support Services"}
    assert conversation.accepted_payload(session, '/inform{"handover_service":"harbour"}')
    assert conversation.accepted_payload(session, "/greet") == "/greet"


def test_an_actions_message_is_taken_from_the_outbox_once() -> None:
    session = ChatSession(id="s", sender_id="r", language="en")
    message: Message = {"text": "your number 07700 900123", "buttons": []}
    number = session.post(message)
    replies = [{"custom": {"outbox": number}}, {"custom": {"outbox": 5}}]
    assert _as_messages(replies, session.take, lambda *_: pytest.fail("nothing to render")) == [message]
    assert session.outbox == {}


@pytest.mark.parametrize(
    ("intent", "text", "at"),
    [("need_domestic_abuse", "he hit me last year", 0), ("immediate_danger", "he is coming with a knife", 1)],
)
def test_what_an_action_said_after_its_turn_gave_up_comes_in_the_next_reply(
    client: TestClient, intent: str, text: str, at: int
) -> None:
    """Rasa timed out while the handover was being stored: "sent, your reference is ..." reaches her next turn,
    once, and never before the 999 guidance."""
    conversation, session = chat_with(client, FakeRasa(intent, 0.9))
    late: Message = {"text": "Done. Your reference is ABCD-2345.", "buttons": []}
    session.post(late)
    first = anyio.run(partial(conversation.reply, session, text=text))
    again = anyio.run(partial(conversation.reply, session, text=text))
    assert [m["text"] for m in first.messages].index(late["text"]) == at
    assert late["text"] not in [m["text"] for m in again.messages]


def test_danger_buried_in_a_long_message_is_danger_and_rasa_reads_the_message_once(client: TestClient) -> None:
    fake = FakeRasa("need_other_crime", 0.5)
    conversation, session = chat_with(client, fake)
    danger = WordDangerModel()
    conversation.runtime.danger = danger
    long = (
        "I work in a nail bar six days a week. The boss keeps my wages. I share a room with four others. "
        "tonight qzdanger and he is downstairs."
    )
    reply = anyio.run(partial(conversation.reply, session, text=long))
    assert fake.sent == ["/immediate_danger"] and reply.danger
    assert danger.sentences == [
        "I work in a nail bar six days a week.",
        "The boss keeps my wages.",
        "I share a room with four others.",
        "tonight qzdanger and he is downstairs.",
    ], "the danger model read it sentence by sentence"
    anyio.run(partial(conversation.reply, session, text=long.replace("qzdanger", "we had a row")))
    assert fake.parsed == [long.replace("qzdanger", "we had a row")], "Rasa read the whole message, once"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("is there someone who speaks Portuguese I can talk to?", "pt"),
        ("can someone talk to me in my language", "en"),
    ],
)
def test_the_language_she_asks_a_person_to_speak_is_kept_as_a_code_only(
    client: TestClient, text: str, wanted: str
) -> None:
    fake = FakeRasa("ask_language_support", 0.9)
    conversation, session = chat_with(client, fake)
    anyio.run(partial(conversation.reply, session, text=text))
    assert fake.sent == ["/ask_language_support"], "Rasa gets the intent, not the language she named"
    assert session.wanted_language == wanted


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("can you write in Polish please?", '/choose_language{"language":"pl"}'),
        ("my english not good, can you answer in arabic", '/choose_language{"language":"ar"}'),
        ("can you write in another language", "/change_language"),
        ("can you write in English", "/change_language"),
    ],
)
def test_asking_for_a_named_language_switches_to_it(client: TestClient, text: str, sent: str) -> None:
    """A language she names, and the chat is not already in, is chosen for her; otherwise she gets the menu."""
    fake = FakeRasa("change_language", 0.9)
    conversation, session = chat_with(client, fake)
    anyio.run(partial(conversation.reply, session, text=text))
    assert fake.sent == [sent]


def test_another_intent_never_sets_the_language_she_needs(client: TestClient) -> None:
    conversation, session = chat_with(client, FakeRasa("change_language", 0.9))
    anyio.run(partial(conversation.reply, session, text="can we switch to Portuguese"))
    assert session.wanted_language is None


def test_the_danger_model_is_a_second_opinion_when_rasa_misses_danger(client: TestClient) -> None:
    fake = FakeRasa("need_other_crime", 0.5)
    conversation, session = chat_with(client, fake)
    reply = anyio.run(partial(conversation.reply, session, text="he is outside my door with a knife right now"))
    assert fake.sent == ["/immediate_danger"] and reply.danger
    anyio.run(partial(conversation.reply, session, text="someone stole my bike from the station last week"))
    assert fake.sent[-1] == "/need_other_crime", "and only when it reads danger"


class WordDangerModel:
    """A danger model that reads danger in one made-up word, and records every text it was shown; anything else
    gets the score `calm` (0.5: close enough to danger not to contradict Rasa's)."""

    def __init__(self, calm: float = 0.5) -> None:
        self.calm = calm
        self.shown: list[str] = []
        self.sentences: list[str] = []

    def read(self, message: str, sentences: Sequence[str] = ()) -> Reading:
        self.shown += [message, *sentences]
        self.sentences = list(sentences)
        danger = any("qzdanger" in text for text in [message, *sentences])
        return Reading(danger, 1.0 if danger else self.calm)


def test_redaction_never_hides_danger_from_the_danger_model(client: TestClient) -> None:
    fake = FakeRasa("ask_safe_to_report", 0.5)
    conversation, session = chat_with(client, fake)
    danger = WordDangerModel()
    conversation.runtime.danger = danger
    reply = anyio.run(partial(conversation.reply, session, text="my visa ran out and he is qzdanger at the door"))
    assert fake.sent == ["/immediate_danger"] and reply.danger
    assert any("qzdanger" in text for text in danger.shown), "the danger model read her words before redaction"
    assert not any("qzdanger" in text or "visa" in text for text in fake.parsed), "Rasa never got them"
    assert "qzdanger" not in session.transcript[0].text, "the transcript holds the redacted words only"


@pytest.mark.parametrize(
    ("calm", "danger_model", "sent"),
    [
        (0.1, True, "/change_language"),  # far behind another intent: Rasa's danger is contradicted
        (0.45, True, "/immediate_danger"),  # near enough: Rasa's danger stands
        (0.1, False, "/immediate_danger"),  # no danger model: Rasa's danger stands alone
    ],
)
def test_the_danger_model_can_contradict_rasas_danger_only_when_far_from_it(
    client: TestClient, calm: float, danger_model: bool, sent: str
) -> None:
    fake = FakeRasa("immediate_danger", 0.3, otherwise="change_language")
    conversation, session = chat_with(client, fake)
    conversation.runtime.danger = WordDangerModel(calm) if danger_model else None
    reply = anyio.run(partial(conversation.reply, session, text="qzwords me baat kro plz"))
    assert fake.sent == [sent]
    assert reply.danger == (sent == "/immediate_danger")


def test_a_button_between_two_messages_ends_a_status_statement(client: TestClient) -> None:
    conversation, session = chat_with(client, FakeRasa("inform"))
    anyio.run(partial(conversation.reply, session, text="my husband hits me. My visa expires in March."))
    assert session.status_pending
    anyio.run(partial(conversation.reply, session, payload="/request_handover"))
    assert not session.status_pending, "a button ends it"
    anyio.run(partial(conversation.reply, session, text="07700 900123"))
    assert session.transcript[-2].text == "07700 900123", "the phone number the form asked for is kept"


class GuessingRasa(FakeRasa):
    """NLU unsure about everything, with danger as its likeliest guess (as on a name it has never seen)."""

    async def parse(self, text: str) -> Parsed:
        self.parsed.append(text)
        return Parsed("immediate_danger", 0.2, guessed=True)


def test_a_guess_of_danger_leads_on_a_message_but_never_takes_a_form_answer(client: TestClient) -> None:
    fake = GuessingRasa("")
    conversation, session = chat_with(client, fake)
    conversation.runtime.danger = WordDangerModel()
    anyio.run(partial(conversation.reply, session, text="qzunknown words"))
    assert fake.sent == ["/immediate_danger"], "an open message: safety first"
    session.expecting = "nickname"
    anyio.run(partial(conversation.reply, session, text="Ana"))
    assert fake.sent[-1] == "/inform", "her name is her answer"


def test_a_form_answer_never_switches_the_language(client: TestClient) -> None:
    conversation, session = chat_with(client, FakeRasa("inform"))
    session.expecting = "nickname"
    anyio.run(partial(conversation.reply, session, text="Ana kaman marra ya habibti"))
    assert session.language == "en"
    anyio.run(partial(conversation.reply, session, text="ana khayfa kteer, ma baarif shu a3mel halla2"))
    assert session.language == "ar", "an open message still does"


@pytest.mark.parametrize(
    ("text", "payload", "reason"),
    [
        (None, None, "send either text or payload"),
        ("hello", "/greet", "send either text or payload"),
        ("x" * 2001, None, "the message is too long: at most 2000 characters"),
    ],
    ids=["neither", "both", "too-long"],
)
def test_every_channel_gets_the_same_input_rules(
    client: TestClient, text: str | None, payload: str | None, reason: str
) -> None:
    conversation = Conversation(client.app.state.runtime)  # type: ignore[attr-defined]
    session, _ = conversation.start("en")
    before = list(session.transcript)
    with pytest.raises(BadInput, match=reason):
        anyio.run(partial(conversation.reply, session, text=text, payload=payload))
    assert session.transcript == before, "a refused message leaves the conversation as it was"


def test_sms_text_is_cut_to_the_limit_the_web_refuses_beyond(client: TestClient) -> None:
    conversation = Conversation(client.app.state.runtime)  # type: ignore[attr-defined]
    conversation.check_input(conversation.fit("x" * 5000), None)  # what fit leaves is never refused
    assert conversation.fit("x" * 5000) == "x" * 2000 and conversation.fit("short") == "short"
