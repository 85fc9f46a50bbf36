"""Everything the gateway builds once at startup, shared by the routes and by the custom actions.

Built in the app's lifespan (never at import time). Custom actions run inside the gateway process through
rasa-sdk's executor, built with this runtime as their state (actions/registry.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.content.catalog import load_catalog
from api.content.directory import load_directory
from api.content.force import load_force
from api.content.renderer import Content
from api.content.responses import load_intents, load_responses
from api.core.config import Settings
from api.core.crypto import Cipher, load_or_create_key
from api.core.db import Database, SchemaNotReady, require_migrated
from api.core.failpoints import Failpoints, failpoints
from api.core.files import private_dir
from api.core.ratelimit import Network, SlidingWindow, parse_networks
from api.pipeline.danger_model import DangerModel
from api.pipeline.language import LanguageDetector, load_language_names
from api.pipeline.language_model import LatinLanguageModel
from api.pipeline.redaction import Redactor, StatusLexicon
from api.pipeline.status_model import DangerEvidence, StatusModel
from api.pipeline.translation import OfflineTranslator
from api.portal.notice import Notices
from api.portal.passwords import Passwords
from api.rasa_client import Eraser, RasaClient, tracker_eraser
from api.sessions import ChatSession, MemorySessionStore


@dataclass
class Runtime:
    settings: Settings
    content: Content
    sessions: MemorySessionStore
    rasa: RasaClient
    trackers: Eraser
    database: Database
    redactor: Redactor
    # A second opinion on danger (api/pipeline/danger_model.py); None when it cannot be trained.
    danger: DangerModel | None
    languages: LanguageDetector
    language_names: dict[str, str]
    translator: OfflineTranslator
    cipher: Cipher
    # Every intent a payload may name (the domain's): Rasa only ever receives these, never her words.
    intents: frozenset[str]
    notices: Notices
    limits: Limits
    passwords: Passwords
    failpoints: Failpoints

    def language_of(self, sender_id: str) -> str:
        session = self.sessions.by_sender(sender_id)
        return session.language if session else self.settings.default_language

    def session_of(self, sender_id: str) -> ChatSession | None:
        return self.sessions.by_sender(sender_id)

    def review_notice(self, language: str) -> str | None:
        """Said discreetly wherever a language's catalog has not been signed off by a reviewer."""
        catalog = self.content.catalog
        return (
            None if catalog.languages[language].review_status == "reviewed" else catalog.text(language, "review_notice")
        )

    async def close(self) -> None:
        self.passwords.close()
        await self.rasa.close()
        self.trackers.dispose()
        self.database.dispose()


def load_content(settings: Settings) -> Content:
    return Content(
        catalog=load_catalog(settings.translations_dir, settings.default_language),
        directory=load_directory(settings.data_dir / "services.yml"),
        force=load_force(settings.data_dir / "forces" / f"{settings.force_profile}.yml"),
        responses=load_responses(settings.responses_file),
        operator_name=settings.operator_name,
        idle_minutes=settings.session_idle_minutes,
    )


def build_runtime(settings: Settings) -> Runtime:
    private_dir(settings.var_dir)
    content = load_content(settings)
    database = Database(settings.effective_database_url)
    try:
        require_migrated(database.engine)
    except SchemaNotReady:
        database.dispose()
        raise
    redactor = redactor_for(
        settings, [content.catalog.text(code, "redaction.marker") for code in content.catalog.languages]
    )
    return Runtime(
        settings=settings,
        content=content,
        sessions=MemorySessionStore(idle_seconds=settings.session_idle_minutes * 60),
        rasa=RasaClient(settings.rasa_url, settings.rasa_timeout_seconds, settings.effective_rasa_token),
        trackers=trackers_for(settings),
        database=database,
        redactor=redactor,
        danger=DangerModel.load_or_train(settings.data_dir / "nlu", settings.models_dir, redactor.sentences),
        languages=detector_for(settings, set(content.catalog.languages)),
        language_names=load_language_names(settings.translations_dir),
        translator=OfflineTranslator(settings.var_dir / "argos", content.catalog.languages),
        cipher=cipher_for(settings),
        intents=load_intents(settings.responses_file.parent / "domain"),
        notices=Notices(database, settings),
        limits=limits_for(settings),
        passwords=Passwords(settings.portal_hash_workers),
        failpoints=failpoints(settings.failpoints_dir, settings.environment),
    )


@dataclass
class Limits:
    """The rate limits' counts (api/core/ratelimit.py): per client for the chat, per organisation for handovers."""

    trusted: list[Network]
    sessions: SlidingWindow
    messages: SlidingWindow
    handovers: SlidingWindow
    # SMS per sender (a pseudonym of the number), and when a flooding sender was last told 999 and the helplines.
    sms: SlidingWindow
    sms_told: SlidingWindow

    def purge(self) -> None:
        for window in (self.sessions, self.messages, self.handovers, self.sms, self.sms_told):
            window.purge()


def limits_for(settings: Settings) -> Limits:
    return Limits(
        trusted=parse_networks(settings.trusted_proxies),
        sessions=SlidingWindow(settings.chat_sessions_per_hour, 3600),
        messages=SlidingWindow(settings.chat_messages_per_minute, 60),
        handovers=SlidingWindow(settings.handovers_per_org_per_hour, 3600),
        sms=SlidingWindow(settings.sms_messages_per_minute, 60),
        sms_told=SlidingWindow(1, 60),
    )


def detector_for(settings: Settings, supported: set[str]) -> LanguageDetector:
    """Script rules, fastText, and the Latin-letter model trained on data/nlu/ (cached in models/)."""
    detector = LanguageDetector(
        supported, LatinLanguageModel.load_or_train(settings.data_dir / "nlu", settings.models_dir)
    )
    # Load fastText now, not on her first message (which may be the one saying she is in danger).
    detector.detect("warm up the language models")
    return detector


def redactor_for(settings: Settings, markers: list[str]) -> Redactor:
    """The word list of every language, and the clause classifier trained on data/redaction/ (cached in models/)."""
    redactor = Redactor(StatusLexicon.load(settings.translations_dir), markers=markers)
    # The word list's own verdict (is_status, which never asks the model) labels the training data's context.
    danger = DangerEvidence(settings.data_dir / "nlu", redactor.clauses)
    redactor.model = StatusModel.load_or_train(
        settings.data_dir / "redaction", settings.models_dir, redactor.is_status, danger
    )
    # Load spaCy and the lookalike table now, not on her first message (which may be the one saying she is in
    # danger).
    redactor.redact("warm up")
    return redactor


def trackers_for(settings: Settings) -> Eraser:
    return tracker_eraser(settings.rasa_tracker_url, settings.rasa_url, settings.effective_rasa_token)


def cipher_for(settings: Settings) -> Cipher:
    key = settings.encryption_key
    return Cipher(key.get_secret_value().encode() if key else load_or_create_key(settings.var_dir / "secret.key"))
