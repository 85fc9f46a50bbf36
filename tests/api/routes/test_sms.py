"""The SMS webhook in-process (Rasa unreachable): signatures, keywords, retries, and no number kept."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.stack import free_port
from tests.helpers import make_settings, migrated_app
from tests.support.twilio import form, post

TOKEN = "unit-test-token-abcdef0123456789"
URL = "https://assistant.example.org/sms/twilio"
SENDER = "+447700900123"


def sms_app(tmp_path, **overrides: object) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = make_settings(
        tmp_path,
        twilio_auth_token=TOKEN,
        sms_public_url=URL,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        rasa_timeout_seconds=2.0,
        **overrides,
    )
    with TestClient(migrated_app(settings)) as client:
        yield client


@pytest.fixture
def sms(tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield from sms_app(tmp_path)


def text(client: TestClient, body: str, sender: str = SENDER, sid: str | None = None) -> str:
    response = post(client, form(sender, body, sid), TOKEN, URL)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    return response.text


@pytest.mark.parametrize(
    "attack",
    ["forged", "unsigned", "wrong_url", "tampered", "wrong_token"],
)
def test_requests_without_a_valid_signature_are_refused(sms: TestClient, attack: str) -> None:
    params = form(SENDER, "he is hitting me")
    if attack == "forged":
        response = post(sms, params, TOKEN, URL, signature="bm90IGEgc2lnbmF0dXJl")
    elif attack == "unsigned":
        response = post(sms, params, TOKEN, URL, signature="")
    elif attack == "wrong_url":
        response = post(sms, params, TOKEN, "http://127.0.0.1:8000/sms/twilio")
    elif attack == "wrong_token":
        response = post(sms, params, "another-token", URL)
    else:
        from twilio.request_validator import RequestValidator

        signature = RequestValidator(TOKEN).compute_signature(URL, params)
        response = post(sms, {**params, "Body": "tampered"}, TOKEN, URL, signature=signature)
    assert response.status_code == 403 and response.text == ""
    assert sms.app.state.sms.sessions == {}, "nothing processed, nothing stored"  # type: ignore[attr-defined]


def test_a_signed_text_gets_twiml_with_the_watched_phone_warning(sms: TestClient) -> None:
    reply = text(sms, "he is hitting me")
    assert reply.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert "Texts stay on this phone" in reply and "999" in reply


def test_the_number_is_never_stored_or_logged(sms: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    text(sms, "hello there")
    channel = sms.app.state.sms  # type: ignore[attr-defined]
    assert SENDER not in repr(channel.sessions) and "7700900123" not in repr(channel.sessions)
    assert all(len(key) == 64 for key in channel.sessions)
    assert "7700900123" not in caplog.text


def test_a_retried_message_sid_gets_the_same_reply_and_runs_once(sms: TestClient) -> None:
    params = form(SENDER, "HELP")
    first = post(sms, params, TOKEN, URL).text
    second = post(sms, params, TOKEN, URL).text
    assert first == second
    assert "Texts stay on this phone" in first, "the first message of a session"
    assert "Texts stay on this phone" not in text(sms, "HELP"), "a retry did not start another session"


def test_a_replay_after_the_reply_cache_is_purged_changes_nothing(sms: TestClient) -> None:
    """Twilio's signatures carry no time, so a captured request can be sent again later: past the 30-minute reply
    cache the MessageSid is still remembered, and the replay gets an empty answer and starts nothing."""
    params = form(SENDER, "HELP")
    assert "Texts stay on this phone" in post(sms, params, TOKEN, URL).text
    channel = sms.app.state.sms  # type: ignore[attr-defined]
    channel.replies.clear()  # what the purge does once the idle period has passed
    channel.sessions.clear()
    assert post(sms, params, TOKEN, URL).text == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert channel.sessions == {}, "a replay must not start a conversation"


def test_twilios_retry_of_a_text_that_failed_is_still_read(sms: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an answered MessageSid is remembered: when answering fails, Twilio sends the same text again, and
    that retry must be read, not taken for a replay."""
    channel = sms.app.state.sms  # type: ignore[attr-defined]
    answer = channel._answer

    async def broken(who: str, body: str) -> str:
        raise RuntimeError("a fault while answering")

    params = form(SENDER, "HELP")
    monkeypatch.setattr(channel, "_answer", broken)
    with pytest.raises(RuntimeError):
        post(sms, params, TOKEN, URL)
    monkeypatch.setattr(channel, "_answer", answer)
    assert "Texts stay on this phone" in post(sms, params, TOKEN, URL).text


@pytest.mark.parametrize("word", ["STOP", "stop", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
def test_opt_out_words_erase_the_session_and_get_no_reply(sms: TestClient, word: str) -> None:
    text(sms, "hello there")
    assert text(sms, word) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert sms.app.state.sms.sessions == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("word", "expected"), [("HELP", "never asks about immigration status"), ("Pomoc", "USUN")])
def test_help_in_any_language(sms: TestClient, word: str, expected: str) -> None:
    assert expected in text(sms, word)


@pytest.mark.parametrize(("word", "language"), [("DELETE", "en"), ("delete", "en"), ("Usuń", "pl"), ("borrar", "es")])
def test_delete_erases_and_explains_how_to_delete_the_texts(sms: TestClient, word: str, language: str) -> None:
    """In the keyword's own language: the erasure, and how to delete the texts from her phone too."""
    text(sms, "hello there")
    reply = text(sms, word)
    explained = sms.app.state.runtime.content.text(language, "sms.deleted")  # type: ignore[attr-defined]
    assert explained.split(":")[0] in reply
    assert sms.app.state.sms.sessions == {}  # type: ignore[attr-defined]
    assert "STOP" not in reply.upper().replace("STOPALL", "")


@pytest.mark.parametrize("word", ["START", "unstop"])
def test_start_welcomes_again_in_a_new_session(sms: TestClient, word: str) -> None:
    """START after STOP (or at any time) begins afresh: the old conversation is erased, not continued."""
    channel = sms.app.state.sms  # type: ignore[attr-defined]
    runtime = sms.app.state.runtime  # type: ignore[attr-defined]
    text(sms, "hello there")
    (session_id,) = channel.sessions.values()  # keyed by a pseudonym of her number, never the number
    old = runtime.sessions.get(session_id)
    assert old is not None and old.transcript
    assert "Safe Reporting Assistant" in text(sms, word)
    (session_id,) = channel.sessions.values()
    new = runtime.sessions.get(session_id)
    assert new is not None and new.id != old.id
    assert runtime.sessions.get(old.id) is None and old.transcript == [], "the old conversation is erased"
    assert "hello there" not in str([turn.text for turn in new.transcript])


def test_health_says_sms_is_on(sms: TestClient) -> None:
    assert sms.get("/healthz").json()["sms"] == "enabled"


def test_without_a_token_the_route_does_not_start(client: TestClient) -> None:
    assert client.post("/sms/twilio", data=form(SENDER, "hi")).status_code == 404
    assert client.get("/healthz").json()["sms"].startswith("disabled")


def test_the_development_flag_is_visible(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, sms_skip_signature_check=True, rasa_url=f"http://127.0.0.1:{free_port()}")
    with TestClient(migrated_app(settings)) as client:
        assert client.post("/sms/twilio", data=form(SENDER, "HELP")).status_code == 200
        assert client.get("/healthz").json()["sms"] == "signature check OFF (development only)"


@pytest.mark.parametrize("word", ["DELETE", "STOP"])
def test_delete_and_stop_clear_that_senders_cached_replies(sms: TestClient, word: str) -> None:
    """A cached reply can hold her number (the consent summary): it goes with the session, others' stay."""
    channel = sms.app.state.sms  # type: ignore[attr-defined]
    text(sms, "he is hitting me", sid="SM" + "1" * 32)
    text(sms, "hello", sender="+447700900999", sid="SM" + "2" * 32)
    assert {"SM" + "1" * 32, "SM" + "2" * 32} <= set(channel.replies)
    text(sms, word, sid="SM" + "3" * 32)
    assert "SM" + "1" * 32 not in channel.replies, "her earlier replies are gone"
    assert "SM" + "2" * 32 in channel.replies, "another sender's are not touched"


@pytest.fixture
def strict_sms(tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield from sms_app(tmp_path, sms_messages_per_minute=2)


def test_a_flooding_sender_is_told_999_once_then_nothing_and_delete_still_works(strict_sms: TestClient) -> None:
    for n in range(2):
        assert "<Message>" in text(strict_sms, f"hello {n}", sid=f"SM{n:032d}")
    told = text(strict_sms, "hello again", sid="SM" + "7" * 32)
    assert "999" in told and "0808 2000 247" in told
    assert text(strict_sms, "and again", sid="SM" + "8" * 32) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert "press and hold" in text(strict_sms, "DELETE", sid="SM" + "9" * 32)
    assert strict_sms.app.state.sms.sessions == {}  # type: ignore[attr-defined]
