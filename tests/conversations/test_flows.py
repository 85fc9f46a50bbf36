"""Every flow of the core assistant through the real stack: gateway + Rasa server + database.

Rasa runs the trained model from models/; the gateway renders every response and runs the custom actions.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session

from api.core.db import Database
from api.models import Handover
from api.repositories import handovers
from api.stack import Stack, free_port
from tests.conversations.chat import REFERENCE, ChatClient, stack_cipher
from tests.support.faults import locked

pytestmark = pytest.mark.stack

HARBOUR = '/inform{"handover_service":"harbour"}'


@pytest.fixture
def database(stack: Stack) -> Iterator[Database]:
    db = Database(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    yield db
    db.dispose()


def stored_count(database: Database) -> int:
    with database.unit_of_work() as session:
        return handovers.count(session)


def assert_danger_guidance(reply_text: str) -> None:
    assert "call 999" in reply_text and "press 55" in reply_text and "mobile" in reply_text
    assert "18000" in reply_text and "emergencySMS" in reply_text


@pytest.mark.parametrize(
    "message",
    ["he's outside the door", "he will kill me tonight", "he is hitting me", "HELP he is coming with a knife"],
)
def test_danger_gets_999_and_silent_solution_in_the_first_reply(chat: httpx.Client, message: str) -> None:
    bot = ChatClient(chat)
    bot.send(message)
    assert_danger_guidance(bot.texts[0])


def test_danger_interrupts_the_handover_form_which_then_resumes(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send(payload="/request_handover")
    bot.send(payload=HARBOUR)
    assert "How is it safe for Harbour Support Services to contact you?" in bot.text
    bot.send("he's outside the door right now")
    assert_danger_guidance(bot.texts[0])
    assert "How is it safe" in bot.texts[-1], "the form should ask its question again"
    bot.send(payload='/inform{"contact_method":"self"}')
    assert "03000 202 525" in bot.text


@pytest.mark.parametrize(
    "question",
    ["is it safe to report?", "will the police tell immigration about me?", "could I be deported if I report him"],
)
def test_safe_to_report_is_answered_honestly(chat: httpx.Client, question: str) -> None:
    bot = ChatClient(chat)
    bot.send(question)
    answer = bot.text
    assert "no one can promise" in answer
    assert "Durham Constabulary" in answer and "1. keep you safe" in answer and "December 2021" in answer
    assert "does not record" in answer
    assert "independent service" in answer and "not the police" in answer
    assert "/request_handover" in bot.payloads and "/show_services" in bot.payloads
    assert not re.search(r"(will|would) not (share|tell|pass)", answer)


@pytest.mark.parametrize(
    ("message", "expected", "not_expected"),
    [
        ("my husband beats me and controls all my money", ["Harbour Support Services", "0808 2000 247"], []),
        (
            "my boss took my passport and I owe money to the people who brought me here",
            ["Modern Slavery & Exploitation Helpline (Unseen)", "08000 121 700"],
            ["Men's Advice Line"],
        ),
        ("my family is forcing me to marry a man I don't know", ["Karma Nirvana", "The Halo Project"], []),
        ("I was raped by a man I know", ["Southall Black Sisters"], ["Karma Nirvana"]),
        ("someone stole my bag in the street", ["Victim Care and Advice Service (VCAS)"], ["Karma Nirvana"]),
        ("I have nowhere safe to stay tonight", ["Durham County Council First Contact", "03000 267 979"], []),
    ],
)
def test_needs_in_her_own_words_get_matching_services_independent_first(
    chat: httpx.Client, message: str, expected: list[str], not_expected: list[str]
) -> None:
    bot = ChatClient(chat)
    bot.send(message)
    for name in expected:
        assert name in bot.text
    for name in not_expected:
        assert name not in bot.text
    entries = [t for t in bot.texts if "independent of the police" in t.lower()]
    flags = ["Not independent" not in t for t in entries]
    assert entries and flags == sorted(flags, reverse=True), "independent services must come first"
    assert "/request_handover" in bot.payloads


def test_vcas_is_shown_without_a_number_and_as_not_independent(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send("someone robbed me")
    vcas = next(t for t in bot.texts if t.startswith("Victim Care and Advice Service"))
    assert "no checked phone number" in vcas and "Not independent of the police" in vcas


def sent_handover(session: Session, bot: ChatClient) -> Handover:
    """The handover whose reference the bot's last reply gave her."""
    reference = REFERENCE.search(bot.text)
    assert reference, bot.text
    handover = handovers.by_reference(session, reference.group(0))
    assert handover is not None
    return handover


def walk_to_consent(bot: ChatClient) -> None:
    bot.send(payload="/request_handover")
    assert "Harbour Support Services" in [b["title"] for m in bot.last["messages"] for b in m["buttons"]]
    assert "/cancel" in bot.payloads
    bot.send(payload=HARBOUR)
    bot.send(payload='/inform{"contact_method":"phone"}')
    assert "What phone number" in bot.text
    bot.send("not a number")
    assert "does not look like a phone number" in bot.text
    bot.send("07700 900123")
    assert "When is it safe" in bot.text
    bot.send("weekdays after 10am")
    assert "leave a message" in bot.text
    bot.send(payload="/deny")
    assert "What name should they use" in bot.text
    bot.send("Sam")


def test_complete_handover_stores_only_what_she_agreed_to(chat: httpx.Client, database: Database, stack: Stack) -> None:
    before = stored_count(database)
    bot = ChatClient(chat)
    bot.send("my husband hits me. My visa expires in March.")
    walk_to_consent(bot)
    summary = bot.text
    assert "immigration status removed" in summary and "phone call to 07700 900123" in summary
    assert "safe times: weekdays after 10am" in summary and "must not leave a message" in summary
    assert "Sam" in summary and "Do you agree" in summary
    assert stored_count(database) == before, "nothing may be stored before consent"
    bot.send(payload="/affirm")
    with database.unit_of_work() as session:
        handover = sent_handover(session, bot)
        assert (handover.service_id, handover.need, handover.language) == ("harbour", "domestic_abuse", "en")
        cipher = stack_cipher(stack)
        assert handovers.contact_of(handover, cipher) == {
            "method": "phone",
            "detail": "07700 900123",
            "safe_times": "weekdays after 10am",
            "leave_message": "no",
            "nickname": "Sam",
            "language": "en",
        }
        said = " ".join(str(turn["text"]) for turn in handovers.transcript_of(handover, cipher))
    assert "my husband hits me" in said and "[immigration status removed]" in said
    assert "visa" not in said.lower() and "March" not in said


def test_i_will_contact_them_myself_stores_nothing(chat: httpx.Client, database: Database) -> None:
    before = stored_count(database)
    bot = ChatClient(chat)
    bot.send("please put me in touch with someone")
    bot.send(payload='/inform{"handover_service":"modern_slavery_helpline"}')
    bot.send(payload='/inform{"contact_method":"self"}')
    assert "Nothing has been stored" in bot.text and "08000 121 700" in bot.text
    assert stored_count(database) == before


def test_a_handover_the_database_cannot_store_is_not_sent_and_trying_again_asks_only_for_consent(
    chat: httpx.Client, database: Database, stack: Stack
) -> None:
    """The database is locked for longer than a write waits: she is told, in time, that nothing was sent and how to
    reach the service herself; her answers are kept, so trying again asks only for consent, and stores once."""
    before = stored_count(database)
    bot = ChatClient(chat)
    walk_to_consent(bot)
    with locked(stack.var_dir / "assistant.db"):
        bot.send(payload="/affirm")
    assert "could not be sent to Harbour Support Services" in bot.text and "03000 202 525" in bot.text
    assert stored_count(database) == before
    bot.send(payload="/request_handover")
    assert "Do you agree" in bot.text and "phone call to 07700 900123" in bot.text and "Sam" in bot.text
    bot.send(payload="/affirm")
    with database.unit_of_work() as session:
        sent_handover(session, bot)
    assert stored_count(database) == before + 1


def test_refusing_consent_stores_nothing(chat: httpx.Client, database: Database) -> None:
    before = stored_count(database)
    bot = ChatClient(chat)
    walk_to_consent(bot)
    bot.send(payload="/deny")
    assert "Nothing has been sent" in bot.text
    assert stored_count(database) == before


@pytest.mark.parametrize("steps_before_cancel", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("how", ["button", "typed"])
def test_cancel_at_any_step(chat: httpx.Client, database: Database, steps_before_cancel: int, how: str) -> None:
    answers = [
        {"payload": "/request_handover"},
        {"payload": HARBOUR},
        {"payload": '/inform{"contact_method":"text"}'},
        {"text": "07700 900123"},
        {"payload": "/skip"},
        {"payload": "/affirm"},
    ]
    before = stored_count(database)
    bot = ChatClient(chat)
    for answer in answers[:steps_before_cancel]:
        bot.send(**answer)
    if how == "button":
        bot.send(payload="/cancel")
    else:
        bot.send("cancel")
    assert "Cancelled. Nothing has been sent or stored." in bot.text
    bot.send("is it safe to report?")
    assert "no one can promise" in bot.text, "after cancelling, the conversation goes on normally"
    assert stored_count(database) == before


# That Rasa's tracker is emptied too (and never held her words) is checked where the gateway's memory can be
# read for the conversation's sender id: tests/privacy/test_canary.py.
def test_delete_this_chat_ends_the_session(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send("my husband hits me")
    reply = bot.send("delete this chat")
    assert reply["session_ended"] is True and "deleted" in bot.text
    assert bot.status() == 404


def test_delete_endpoint_ends_the_session(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send("he controls my money")
    assert chat.delete(f"/api/chat/sessions/{bot.session_id}").status_code == 204
    assert bot.status() == 404


def test_delete_during_the_form(chat: httpx.Client, stack: Stack) -> None:
    bot = ChatClient(chat)
    bot.send(payload="/request_handover")
    bot.send(payload=HARBOUR)
    reply = bot.send(payload="/delete_chat")
    assert reply["session_ended"] is True
    assert bot.status() == 404


def test_two_misunderstandings_in_a_row_lead_to_help(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send("asdfgh")
    assert "did not understand" in bot.text and "/need_domestic_abuse" in bot.payloads
    bot.send("who won the football last night")
    assert "0808 2000 247" in bot.texts[0] and "call 999" in bot.texts[0]
    assert any("Harbour Support Services" in t for t in bot.texts)


def test_greeting_and_main_menu(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send("hello")
    assert "immigration status" in bot.text and "/ask_safe_to_report" in bot.payloads


def test_bot_never_asks_about_status_in_any_flow(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    seen: list[str] = [*bot.texts]
    for step in ["hello", "is it safe to report?", "my husband hits me", "what do you keep about me?"]:
        bot.send(step)
        seen.extend(bot.texts)
    for sentence in re.split(r"(?<=[.?!])\s+", "\n".join(seen)):
        if sentence.strip().endswith("?"):
            assert not re.search(r"visa|status|papers|passport|nationality", sentence, re.IGNORECASE), sentence


def test_gateway_without_rasa_answers_safely_within_seconds(tmp_path_factory: pytest.TempPathFactory) -> None:
    var_dir = tmp_path_factory.mktemp("no-rasa")
    no_rasa = Stack(gateway_port=free_port(), rasa_port=free_port(), var_dir=var_dir, start_rasa=False)
    with no_rasa, httpx.Client(base_url=no_rasa.gateway_url, timeout=30) as http:
        bot = ChatClient(http)
        started = time.monotonic()
        bot.send("he is hitting me")
        assert time.monotonic() - started < 6
        assert "call 999" in bot.text and "0808 2000 247" in bot.text
        assert http.get("/healthz").json()["components"]["rasa"] == "down"


@pytest.mark.parametrize("message", ["I have no papers", "my visa expired last year", "I claimed asylum"])
def test_a_message_that_was_only_status_is_answered_about_reporting_safely(chat: httpx.Client, message: str) -> None:
    bot = ChatClient(chat)
    reply = bot.send(message)
    assert reply["session_ended"] is False, "a redacted message must never be taken for 'delete this chat'"
    assert "no one can promise" in bot.text and "does not record" in bot.text


def test_someone_else_in_danger_gets_help_for_helping_with_999_not_leading(chat: httpx.Client) -> None:
    bot = ChatClient(chat)
    bot.send("my sister is beaten by her husband, how can I help her?")
    first = bot.texts[0]
    assert first.startswith("Thank you for wanting to help") and "call 999" in first
    assert not first.startswith("If you are in danger now")


def test_someone_who_speaks_her_language_then_a_handover_that_says_it(
    chat: httpx.Client, database: Database, stack: Stack
) -> None:
    bot = ChatClient(chat)
    bot.send("is there someone who speaks Portuguese I can talk to?")
    assert "none of the services here has its own staff who speak Portuguese" in bot.text
    assert "say “Portuguese” and ask for an interpreter" in bot.text and "08000 121 700" in bot.text
    walk_to_consent(bot)
    bot.send(payload="/affirm")
    with database.unit_of_work() as session:
        handover = sent_handover(session, bot)
        assert handovers.contact_of(handover, stack_cipher(stack))["language"] == "pt"
