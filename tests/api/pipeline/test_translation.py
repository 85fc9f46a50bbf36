"""Offline MT: the real argostranslate install, load and translate code, on a tiny package built here,
in processes whose network is blocked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.pipeline.translation import OfflineTranslator, RuleSentencizer
from tests.support.offline_run import install, offline_python


def test_the_network_guard_really_blocks() -> None:
    result = offline_python("import urllib.request; urllib.request.urlopen('https://pypi.org', timeout=5)")
    assert result.returncode != 0 and "network blocked in tests" in result.stderr


def test_install_load_and_translate_offline(tiny_models: Path, tmp_path: Path) -> None:
    installed = install(tiny_models, tmp_path, "pl")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "installed pairs: pl" in installed.stdout
    code = (
        "import json, sys; from pathlib import Path; from api.pipeline.translation import OfflineTranslator\n"
        "t = OfflineTranslator(Path(sys.argv[1]) / 'argos', {'pl', 'ro'})\n"
        "first = t.to_english('mój mąż mnie bije. on jest pod drzwiami!', 'pl')\n"
        "print(json.dumps({'available': sorted(t.available()), 'first': first,"
        " 'again': t.to_english('potrzebuję pomocy', 'pl'), 'ro': t.to_english('ajutor', 'ro'),"
        " 'same_object': t._load() is t._load()}))"
    )
    result = offline_python(code, str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["available"] == ["pl"]
    assert isinstance(out["first"], str) and out["first"] and out["first"] != "mój mąż mnie bije"
    assert isinstance(out["again"], str) and out["again"]
    assert out["ro"] is None, "a missing pair gives no translation"
    assert out["same_object"], "packages are loaded once"


def test_missing_package_is_a_clear_message(tiny_models: Path, tmp_path: Path) -> None:
    result = install(tiny_models, tmp_path, "ro")
    assert result.returncode == 1
    assert "cannot be reached" in result.stdout and "translate-ro_en-<version>.argosmodel" in result.stdout


def test_without_packages_argos_is_never_imported(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from api.pipeline.translation import OfflineTranslator\n"
        "t = OfflineTranslator(Path(sys.argv[1]), {'pl'})\n"
        "assert t.available() == set() and t.to_english('x', 'pl') is None\n"
        "assert 'argostranslate' not in sys.modules and 'torch' not in sys.modules\n"
    )
    result = offline_python(code, str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_english_is_never_translated(tmp_path: Path) -> None:
    assert OfflineTranslator(tmp_path, {"en", "pl"}).to_english("hello", "en") is None


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Pomocy. On tu jest!", ["Pomocy.", "On tu jest!"]),
        ("هل هو آمن؟ أنا خائفة", ["هل هو آمن؟", "أنا خائفة"]),
        ("میں ڈرتی ہوں۔ مدد کریں", ["میں ڈرتی ہوں۔", "مدد کریں"]),
        ("我很害怕。请帮我", ["我很害怕。", "请帮我"]),
        ("no punctuation at all", ["no punctuation at all"]),
    ],
)
def test_rule_sentencizer(text: str, sentences: list[str]) -> None:
    assert RuleSentencizer().split_sentences(text) == sentences
