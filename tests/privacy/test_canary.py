"""A canary in every kind of input, over web chat and SMS: afterwards it is in the consented handover (sealed),
and in no other store or log, Rasa's above all.

Each conversation types a unique token into free text in every language, every handover form field, a crafted
payload, text that begins with "/", over-long and malformed input. Then every store is read: Rasa's tracker for
each conversation (through Rasa's HTTP API), Rasa's log and the gateway's records, and the raw bytes of every
file under var/ (the database, its WAL, the key). The token must also be in the handover once decrypted:
otherwise the test would prove nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from pathlib import Path

import httpx
import pytest

from api.conversation import Conversation
from api.repositories import handovers
from tests.conversations.chat import ChatClient
from tests.privacy.conftest import LOGS, SMS_URL, TWILIO_TOKEN
from tests.support import twilio
from tests.support.inprocess import Gateway

pytestmark = pytest.mark.stack
REFERENCE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")
# One ordinary sentence per language, the canary inside: free text she might type first.
OPENERS = {
    "en": "my partner {t} shouts at me",
    "pl": "mój mąż {t} krzyczy na mnie",
    "ar": "زوجي {t} يصرخ علي",
    "zh": "我丈夫 {t} 对我大喊",
    "uk": "мій чоловік {t} кричить на мене",
    "es": "mi pareja {t} me grita",
    "pt": "o meu marido {t} grita comigo",
    "ro": "soțul meu {t} țipă la mine",
    "sq": "burri im {t} më bërtet",
    "lt": "mano vyras {t} ant manęs rėkia",
    "fa": "شوهرم {t} سرم داد می زند",
    "ur": "میرا شوہر {t} مجھ پر چیختا ہے",
    "pa": "ਮੇਰਾ ਪਤੀ {t} ਮੇਰੇ ਉੱਤੇ ਚੀਕਦਾ ਹੈ",
    "bn": "আমার স্বামী {t} আমার উপর চিৎকার করে",
    "vi": "chồng tôi {t} la hét tôi",
}


WEB_CANARY = "qzcanary7f3k"
WEB_CANARY_DIGITS = "07700 946381"


def canary() -> str:
    return "qz" + secrets.token_hex(6)


def var_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def found_in_files(token: str, folder: Path) -> list[str]:
    return [name for name, data in var_bytes(folder).items() if token.encode() in data]


def logs_hold(token: str, caplog: pytest.LogCaptureFixture) -> bool:
    records = "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records)
    rasa_log = (LOGS / "rasa.log").read_text(encoding="utf-8", errors="replace")
    return token in records or token in rasa_log


def refused_inputs(bot: ChatClient, token: str) -> None:
    """Crafted and malformed input: refused with a clear error, and nothing of it kept."""
    url = f"/api/chat/sessions/{bot.session_id}/messages"
    crafted = bot.http.post(url, json={"payload": f'/inform{{"x":"{token} GWF123456789"}}'})
    assert crafted.status_code == 409 and token not in crafted.text  # well-formed, never offered
    too_long = bot.http.post(url, json={"text": token * 400})
    assert too_long.status_code == 422 and token not in too_long.text
    malformed = bot.http.post(url, content=f'{{"text": "{token}', headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and token not in malformed.text


def test_web_canary_reaches_only_the_sealed_handover(gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # Fixed, not random: the form's flow depends on what NLU reads in each answer (a random token was sometimes
    # read as danger, which is always heard, and the form then went its own way). Unique enough: no catalog,
    # training file or log holds it, and every run starts with empty stores and a truncated Rasa log.
    token, digits = WEB_CANARY, WEB_CANARY_DIGITS
    with httpx.Client(base_url=gateway.url, timeout=30) as http:
        bot = ChatClient(http, "en")
        for opener in OPENERS.values():
            bot.send(opener.format(t=token))
        bot.send("English")
        bot.send(f'/inform{{"x":"{token}"}}')
        refused_inputs(bot, token)
        bot.send(payload="/request_handover")
        bot.send(payload='/inform{"handover_service":"harbour"}')
        bot.send(payload='/inform{"contact_method":"phone"}')
        bot.send(digits)
        bot.send(f"after 6pm {token}")
        bot.send(payload="/affirm")
        bot.send(f"Ana {token}")
        assert token in bot.text and digits in bot.text, "the consent message shows what will be sent"
        bot.send(payload="/affirm")
        reference = REFERENCE.search(bot.text)
        assert reference, bot.text
    runtime = gateway.runtime
    session = runtime.sessions.get(bot.session_id)
    tracker = gateway.tracker(session.sender_id)
    assert '"event":"user"' in tracker.replace(" ", ""), "Rasa's tracker was read"
    assert token not in tracker and digits not in tracker and digits.replace(" ", "") not in tracker
    assert not logs_hold(token, caplog) and not logs_hold(digits, caplog)
    assert not found_in_files(token, gateway.var_dir) and not found_in_files(digits, gateway.var_dir)
    with runtime.database.unit_of_work() as db:
        stored = handovers.by_reference(db, reference.group(0))
        assert stored is not None
        sealed = str(handovers.transcript_of(stored, runtime.cipher)) + str(
            handovers.contact_of(stored, runtime.cipher)
        )
    assert token in sealed and digits in sealed, "the canary did travel: the handover holds it, sealed"


def test_sms_canary_reaches_no_store(gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token, sender = canary(), f"+4477009{secrets.randbelow(10**5):05d}"
    with httpx.Client(base_url=gateway.url, timeout=30) as http:

        def text(body: str) -> str:
            response = twilio.post(http, twilio.form(sender, body), TWILIO_TOKEN, SMS_URL)
            assert response.status_code == 200, response.text
            return response.text

        for opener in list(OPENERS.values())[:5]:
            text(opener.format(t=token))
        text(f'/inform{{"x":"{token}"}}')
        text(token * 400)
        who = runtime_sender(gateway, sender)
        tracker = gateway.tracker(who)
        assert token not in tracker and sender not in tracker
        text("DELETE")
    assert not logs_hold(token, caplog) and not logs_hold(sender, caplog)
    assert not found_in_files(token, gateway.var_dir) and not found_in_files(sender, gateway.var_dir)
    assert token not in gateway.tracker(who), "DELETE leaves Rasa nothing either"


def runtime_sender(gateway: Gateway, sender: str) -> str:
    """The Rasa sender id of an SMS conversation, found as the gateway finds it (by the number's pseudonym)."""
    channel = gateway.app.state.sms
    session = gateway.runtime.sessions.get(channel.sessions[channel.pseudonym(sender)])
    return str(session.sender_id)


def test_nothing_of_a_conversation_is_on_disk_after_delete_or_idle_purge(gateway: Gateway) -> None:
    token = canary()
    with httpx.Client(base_url=gateway.url, timeout=30) as http:
        deleted = ChatClient(http, "en")
        deleted.send(f"he took my phone {token}")
        idle = ChatClient(http, "en")
        idle.send(f"my boss keeps my passport {token}")
        deleted_sender = gateway.runtime.sessions.get(deleted.session_id).sender_id
        assert '"event":"user"' in gateway.tracker(deleted_sender).replace(" ", "")
        assert http.delete(f"/api/chat/sessions/{deleted.session_id}").status_code == 204
    assert '"event":"user"' not in gateway.tracker(deleted_sender).replace(" ", ""), "Rasa's tracker is emptied"
    assert not found_in_files(token, gateway.var_dir)
    session = gateway.runtime.sessions.get(idle.session_id)
    session.last_seen -= gateway.settings.session_idle_minutes * 60 + 1
    assert asyncio.run(Conversation(gateway.runtime).purge_idle()) >= 1
    assert gateway.runtime.sessions.get(idle.session_id) is None
    assert token not in gateway.tracker(session.sender_id)
    assert not found_in_files(token, gateway.var_dir)
    modes = {p: p.stat().st_mode & 0o777 for p in gateway.var_dir.rglob("*")}
    assert all(mode == 0o600 for p, mode in modes.items() if p.is_file()), modes
    assert all(mode == 0o700 for p, mode in modes.items() if p.is_dir()), modes
    assert gateway.var_dir.stat().st_mode & 0o777 == 0o700
