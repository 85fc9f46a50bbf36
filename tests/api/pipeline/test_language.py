"""Language detection: script rules, the bundled fastText model, and no switch on short messages."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from api.core.config import ROOT
from api.pipeline.language import LanguageDetector, load_language_names, mentioned_language, named_language
from api.pipeline.language_model import LatinLanguageModel

ALL = {"en", "sq", "ar", "bn", "zh", "lt", "fa", "pl", "pt", "pa", "ro", "es", "uk", "ur", "vi"}
DETECTOR = LanguageDetector(ALL)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my husband beats me every night", "en"),
        ("burri im më rreh çdo ditë", "sq"),
        ("زوجي يضربني كل يوم", "ar"),
        ("আমার স্বামী আমাকে মারে", "bn"),
        ("我丈夫打我", "zh"),
        ("救命", "zh"),
        ("vyras mane muša kiekvieną dieną", "lt"),
        ("شوهرم مرا کتک می زند", "fa"),
        ("mój mąż mnie bije codziennie", "pl"),
        ("meu marido me bate todos os dias", "pt"),
        ("ਮੇਰਾ ਪਤੀ ਮੈਨੂੰ ਮਾਰਦਾ ਹੈ", "pa"),
        ("soțul meu mă bate în fiecare zi", "ro"),
        ("mi marido me pega todos los días", "es"),
        ("мій чоловік мене б'є", "uk"),
        ("میرا شوہر مجھے مارتا ہے", "ur"),
        ("chồng tôi đánh tôi mỗi ngày", "vi"),
    ],
)
def test_each_supported_language_is_recognised(text: str, language: str) -> None:
    found = DETECTOR.detect(text)
    assert found is not None and found.language == language


@pytest.mark.parametrize("text", ["ok", "1", "help", "yes", "ok thanks", "no", "Sam", "07700 900123", "?!", ""])
def test_short_messages_never_switch(text: str) -> None:
    assert DETECTOR.detect(text) is None


def test_unsupported_languages_are_not_guessed() -> None:
    assert LanguageDetector({"en"}).detect("我丈夫打我") is None


def test_detection_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    found = LanguageDetector(ALL).detect("mi marido me pega todos los días")
    assert found is not None and found.language == "es"


def test_language_names_from_keywords(tmp_path: Path) -> None:
    (tmp_path / "pl").mkdir()
    (tmp_path / "pl" / "keywords.yml").write_text("language_names: [polski, Polish, język polski]\n")
    names = load_language_names(tmp_path)
    assert named_language("Polski!", names) == "pl"
    assert named_language("JĘZYK polski", names) == "pl"
    assert named_language("polski jest trudny dla mnie", names) is None


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    """With the Latin-letter model trained on data/nlu/ (cached in models/ after the first run)."""
    model = LatinLanguageModel.load_or_train(ROOT / "data" / "nlu", ROOT / "models")
    assert model is not None
    return LanguageDetector(ALL, model)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("mera shohar mujhe bahut marta hai kya karun", "ur"),
        ("mainu bachao mera gharwala kutt reha hai", "pa"),
        ("amar swami amake roj mare ki korbo", "bn"),
        ("jozi bido yedrabni w ana khayfe ktir", "ar"),
        ("shoharam mano mizane lotfan komak konid", "fa"),
        ("chong toi danh toi moi ngay, giup toi voi", "vi"),
        ("sotul meu ma bate in fiecare zi ce sa fac", "ro"),
        ("burri im me rreh cdo dite cfare te bej", "sq"),
        ("vyras mane musa kiekviena diena ka daryti", "lt"),
        ("moj maz mnie bije codziennie co mam robic", "pl"),
        ("meu marido me bate todos os dias o que faco", "pt"),
        ("my husband beats me every night what do i do", "en"),
    ],
)
def test_latin_letters_are_read_as_the_language_written(detector: LanguageDetector, text: str, language: str) -> None:
    found = detector.detect(text)
    assert found is not None and found.language == language


@pytest.mark.parametrize(
    "text",
    ["ok thanks so much", "hello is anyone there", "Sam 07700 900123", "qzcanary7f3k qzcanary7f3k qzcanary7f3k"],
)
def test_latin_letters_never_switch_to_a_romanised_language_on_nothing(detector: LanguageDetector, text: str) -> None:
    found = detector.detect(text)
    assert found is None or found.language == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("is there someone who speaks Portuguese I can talk to?", "pt"),
        ("koi urdu bolne wala hai?", "ur"),
        ("¿hay alguien que hable español?", "es"),
        ("I speak Polish and a little English", "pl"),
        ("can someone speak English with me", "en"),
        ("is there an interpreter", None),
        ("Wolę po angielsku, córka mi przetłumaczy", "en"),
        ("Gal galit rašyt angliškai?", "en"),
        ("可以用英文回复吗？", "en"),
        ("ممكن تكتبلي بالإنجليزي؟", "en"),
        ("Можете писати англійською?", "en"),
        ("viết bằng tiếng anh được không", "en"),
        ("ok pa", None),
    ],
)
def test_a_language_named_anywhere_in_a_message(text: str, language: str | None) -> None:
    assert mentioned_language(text, load_language_names(ROOT / "translations")) == language


@pytest.mark.parametrize(
    ("text", "current", "language"),
    [
        ("bangla okkhor porte pari na, english e likhen please", "bn", "en"),
        ("ar galima lenkiskai? lietuviskai skaitau sunkiai", "lt", "pl"),
        ("my english not good, can you answer in arabic", "en", "ar"),
    ],
)
def test_the_first_language_named_that_is_not_the_one_she_is_in(text: str, current: str, language: str) -> None:
    assert mentioned_language(text, load_language_names(ROOT / "translations"), current) == language
