"""Every response the bot can give exists in every catalog, with the placeholders the code fills in."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
import yaml

from api.content.catalog import CatalogError, load_catalog, placeholders
from api.content.directory import NEEDS
from api.core.config import ROOT
from api.runtime import load_content
from tests.helpers import make_settings

CONTENT = load_content(make_settings())
CATALOG = CONTENT.catalog
SOURCE = CATALOG.messages["en"]
LANGUAGES = sorted(CATALOG.languages)


def domain_responses() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        domain = yaml.safe_load(path.read_text())
        names.update(domain.get("responses", {}))
        names.update(a for a in domain.get("actions", []) if isinstance(a, str) and a.startswith("utter_"))
    return names


def test_every_domain_response_only_names_itself_for_the_gateway() -> None:
    """Rasa renders nothing: each response is its own name as custom JSON (and at most the service slot)."""
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        for name, variants in (yaml.safe_load(path.read_text()).get("responses") or {}).items():
            assert [set(v) for v in variants] == [{"custom"}], f"{path.name}: {name}"
            custom = variants[0]["custom"]
            assert custom["response"] == name and set(custom) <= {"response", "handover_service"}, name


def keys_the_code_builds() -> set[str]:
    """Keys composed at run time from data (needs, services, force steps, contact methods)."""
    directory, force = CONTENT.directory, CONTENT.force
    keys = {f"services_intro.{need}" for need in (*NEEDS, "all")}
    keys |= {f"service.{s.id}.summary" for s in directory.services}
    keys |= {f"service.{s.id}.note" for s in directory.services if s.has_note}
    keys |= {f"hours.{s.hours}" for s in directory.services}
    keys |= {f"force_step.{step}" for step in force.steps} | ({f"force_then.{force.then}"} if force.then else set())
    for method in ("phone", "text", "email"):
        keys |= {f"ask_contact_detail.{method}", f"contact_detail_invalid.{method}", f"contact_summary.{method}"}
    keys |= {button.title for menu in CONTENT.responses.menus.values() for button in menu}
    keys |= {CONTENT.responses.text_key(name) for name in CONTENT.responses.responses}
    return keys


@pytest.mark.parametrize("response", sorted(domain_responses()))
def test_every_domain_response_is_in_the_source_catalog_and_shaped(response: str) -> None:
    assert CONTENT.responses.text_key(response) in SOURCE
    assert response in CONTENT.responses.responses, f"{response} has no shape in bot/responses.yml"


@pytest.mark.parametrize("key", sorted(keys_the_code_builds()))
def test_every_key_the_code_builds_exists(key: str) -> None:
    assert SOURCE.get(key), f"missing catalog entry {key!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_exactly_the_source_keys_with_the_same_placeholders(language: str) -> None:
    messages = CATALOG.messages[language]
    assert set(messages) == set(SOURCE), "missing or extra keys"
    for key, text in messages.items():
        assert text, f"{language}: {key} is empty"
        assert placeholders(text) == placeholders(SOURCE[key]), f"{language}: {key} placeholders differ"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("response", sorted(domain_responses()))
def test_domain_responses_render_with_the_values_rasa_names(language: str, response: str) -> None:
    message = CONTENT.message(language, response, service_name="Harbour Support Services")
    assert message["text"] and "{" not in message["text"]
    assert all(button["title"] and button["payload"].startswith("/") for button in message["buttons"])


def test_numbers_are_placeholders_never_catalog_text() -> None:
    numbers = {s.phone.replace(" ", "") for s in CONTENT.directory.services if s.phone} | {"999", "55", "18000"}
    for language in LANGUAGES:
        for key, text in CATALOG.messages[language].items():
            squashed = text.replace(" ", "")
            assert not [n for n in numbers if n in squashed], f"{language}: {key} has a literal number"


def test_danger_message_explains_silent_solution_correctly() -> None:
    text = CONTENT.text("en", "utter_danger")
    assert "call 999" in text and "press 55" in text and "mobile" in text
    assert "landline" in text and "18000" in text and "register" in text
    assert "dial 55" not in text.lower()


def test_language_metadata_is_read_from_the_po_header() -> None:
    english = CATALOG.languages["en"]
    assert (english.native_name, english.direction) == ("English", "ltr")
    assert english.review_status in {"reviewed", "machine-drafted"}
    assert CATALOG.languages["pa"].english_name == "Punjabi"
    # Support workers read every language's English name; none may fall back to the bare code.
    assert all(info.english_name != code for code, info in CATALOG.languages.items())


def test_missing_source_catalog_and_bad_direction_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="source language"):
        load_catalog(tmp_path)
    po = polib.POFile()
    po.metadata = {"X-Direction": "sideways", "Content-Type": "text/plain; charset=UTF-8"}
    (tmp_path / "en").mkdir()
    po.save(str(tmp_path / "en" / "messages.po"))
    with pytest.raises(CatalogError, match="X-Direction"):
        load_catalog(tmp_path)


@pytest.mark.parametrize("language", [code for code, info in CATALOG.languages.items() if info.direction == "rtl"])
def test_numbers_stay_left_to_right_in_right_to_left_text(language: str) -> None:
    text = CONTENT.text(language, "utter_danger")
    assert "\u2066999\u2069" in text and "\u206655\u2069" in text
    entry = CONTENT.service_entry(language, CONTENT.directory.get("harbour"))  # type: ignore[arg-type]
    assert "\u206603000 202 525\u2069" in entry


def test_left_to_right_text_has_no_isolates() -> None:
    assert "\u2066" not in CONTENT.text("en", "utter_danger")
