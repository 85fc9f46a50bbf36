"""The one settings object. Every knob is documented in .env.example."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]

# Values people paste from examples: a deployment that still carries one would trust anybody who read the docs.
PLACEHOLDER_SECRETS = {"changeme", "change-me", "change_me", "secret", "placeholder", "please-change", "xxx"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # "production" turns off what only developers need: the OpenAPI schema at /openapi.json.
    environment: Literal["development", "production"] = "development"
    operator_name: str = "a demonstration deployment of the open-source project (not a real service)"
    # Shared between Rasa and the gateway: the action endpoint accepts only requests carrying it.
    internal_secret: SecretStr = Field(min_length=32)

    var_dir: Path = ROOT / "var"
    data_dir: Path = ROOT / "data"
    translations_dir: Path = ROOT / "translations"
    responses_file: Path = ROOT / "bot" / "responses.yml"
    # Trained models: Rasa's, and the redaction's clause classifier (trained here on first use, then cached).
    models_dir: Path = ROOT / "models"
    force_profile: str = "durham"
    default_language: str = "en"

    database_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa's own tracker store, which the gateway erases on "delete this chat" and purges when idle. Empty:
    # Rasa keeps trackers in memory (the embedded default: nothing on disk). redis://... or a SQL URL otherwise.
    rasa_tracker_url: str = ""
    # Rasa's HTTP API (NLU parse, erasing an in-memory tracker) wants this token. Empty: derived from
    # INTERNAL_SECRET, as api/stack.py derives it for the Rasa it starts.
    rasa_token: SecretStr | None = None
    rasa_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # Largest request body accepted, in bytes (a chat message of 2,000 characters is under 10 KB as JSON).
    max_body_bytes: int = Field(default=65536, ge=4096, le=1048576)

    # SMS over Twilio. The route starts only with an auth token, or with the signature check explicitly off
    # for development (then /healthz says so). The public URL is the one Twilio was given, which signatures
    # are computed over (behind a proxy it differs from the URL the gateway sees).
    twilio_auth_token: SecretStr | None = None
    sms_public_url: str = ""
    sms_skip_signature_check: bool = False
    sms_segment_budget: int = Field(default=3, ge=1, le=10)
    sms_reply_seconds: float = Field(default=10.0, gt=0, le=14)
    # Key for the pseudonym of a phone number (never stored itself). Defaults to one derived from INTERNAL_SECRET.
    sms_hash_key: SecretStr | None = None
    # Texts per sender a minute; past it she is texted 999 and the helplines once, then nothing until it passes.
    sms_messages_per_minute: int = Field(default=20, ge=1)
    # Twilio's signatures carry no time: a MessageSid is remembered (as a digest) this long, so a captured request
    # replayed later changes nothing.
    sms_replay_days: int = Field(default=7, ge=1, le=90)

    # Key for handover contact details and transcripts at rest (a Fernet key). Without it, the embedded
    # default keeps one in var/secret.key (mode 0600).
    encryption_key: SecretStr | None = None
    # Open handovers (new or accepted) are purged this many days after they arrived; closed ones this many
    # days after they were closed, whichever comes first.
    handover_retention_days: int = Field(default=30, ge=1, le=3650)
    closed_handover_retention_days: int = Field(default=7, ge=1, le=3650)

    # Support-worker portal. The cookie is Secure unless this development flag turns it off (plain http).
    portal_cookie_secure: bool = True
    portal_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    portal_session_hours: int = Field(default=8, ge=1, le=24)
    # Failed sign-ins allowed per account and per address within the window, then refused until it passes.
    login_max_failures_per_account: int = Field(default=5, ge=1, le=100)
    login_max_failures_per_address: int = Field(default=20, ge=1, le=1000)
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Password hashes (argon2id, about 64 MiB each) computed at once, on threads of their own.
    portal_hash_workers: int = Field(default=2, ge=1, le=16)
    audit_retention_days: int = Field(default=365, ge=30, le=3650)

    # Mail server for the optional "a new handover is waiting" email (never any content). Empty: no email.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    notice_from: str = ""
    # Development and tests only: webhook notices to this machine or a private network (a local relay). Off, a
    # webhook must be https and resolve to public addresses only, checked again at each sending.
    notice_allow_local: bool = False
    # Fault-injection tests only (api/core/failpoints.py); ignored with ENVIRONMENT=production.
    failpoints_dir: Path | None = None

    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    max_message_chars: int = Field(default=2000, ge=1, le=10_000)

    # Limits per client (an address; for IPv6 its /64; behind a trusted proxy, the address it forwarded). Generous
    # for people: a refuge's shared Wi-Fi serves several women, and a frightened person may type fast.
    trusted_proxies: str = ""
    chat_sessions_per_hour: int = Field(default=60, ge=1)
    chat_messages_per_minute: int = Field(default=40, ge=1)
    # Turns a conversation may hold (hers and the assistant's): past it she gets 999 and the helplines.
    max_transcript_turns: int = Field(default=400, ge=10)
    # Handovers one conversation may send, and one organisation may receive in an hour (per gateway process).
    handovers_per_session: int = Field(default=3, ge=1)
    handovers_per_org_per_hour: int = Field(default=30, ge=1)
    quick_exit_url: str = "https://www.bbc.co.uk/weather"

    @field_validator("trusted_proxies")
    @classmethod
    def proxies_are_networks(cls, value: str) -> str:
        from api.core.ratelimit import parse_networks

        parse_networks(value)  # raises ValueError, with the bad entry, at startup
        return value

    @field_validator("internal_secret")
    @classmethod
    def refuse_placeholder(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip().lower()
        if raw in PLACEHOLDER_SECRETS or "change" in raw or len(set(raw)) < 8:
            raise ValueError(
                "INTERNAL_SECRET is a placeholder: set a random value, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'assistant.db'}"

    @property
    def effective_rasa_token(self) -> str:
        if self.rasa_token is not None:
            return self.rasa_token.get_secret_value()
        return derive_rasa_token(self.internal_secret.get_secret_value())


def derive_rasa_token(internal_secret: str) -> str:
    """One token from the shared secret, so the gateway and the Rasa it talks to agree without a second setting."""
    return hmac.new(internal_secret.encode(), b"rasa-http-api", hashlib.sha256).hexdigest()


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # required values come from the environment
