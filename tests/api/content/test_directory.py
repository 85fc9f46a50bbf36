"""The service directory is validated at startup and a bad entry is named with its field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from api.content.directory import DirectoryError, load_directory
from api.core.config import ROOT

SERVICES = ROOT / "data" / "services.yml"


def write_with(tmp_path: Path, service_id: str, **changes: Any) -> Path:
    raw = yaml.safe_load(SERVICES.read_text())
    entry = next(s for s in raw["services"] if s["id"] == service_id)
    for field, value in changes.items():
        if value is ...:
            del entry[field]
        else:
            entry[field] = value
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_shipped_directory_loads_with_independent_services_first() -> None:
    directory = load_directory(SERVICES)
    for need in ("domestic_abuse", "exploitation", "forced_marriage", "sexual_violence", "other_crime", "housing"):
        services = directory.for_need(need)
        assert services, f"no service for {need}"
        flags = [s.independent for s in services]
        assert flags == sorted(flags, reverse=True), f"{need}: a non-independent service is listed first"
    assert directory.handover_targets(None), "no service accepts handovers"


def test_an_entry_without_a_checked_number_shows_no_number() -> None:
    vcas = load_directory(SERVICES).get("vcas")
    assert vcas is not None and vcas.shown_phone is None and vcas.independent is False


def test_unchecked_number_is_hidden_even_when_present(tmp_path: Path) -> None:
    directory = load_directory(write_with(tmp_path, "harbour", checked_on=None))
    harbour = directory.get("harbour")
    assert harbour is not None and harbour.phone and harbour.shown_phone is None


@pytest.mark.parametrize(
    ("service_id", "changes", "field"),
    [
        ("harbour", {"phone": "call us"}, "phone"),
        ("harbour", {"needs": ["gardening"]}, "needs.0"),
        ("halo_project", {"independent": ...}, "independent"),
        ("karma_nirvana", {"website": "http://insecure.example"}, "website"),
        ("vcas", {"hours": "sometimes"}, "hours"),
        ("harbour", {"checked_on": "last tuesday"}, "checked_on"),
        ("harbour", {"surprise": True}, "surprise"),
        ("harbour", {"languages": []}, "languages"),
        ("harbour", {"interpreters": True}, "(entry)"),
    ],
)
def test_a_bad_entry_stops_loading_naming_entry_and_field(
    tmp_path: Path, service_id: str, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DirectoryError) as error:
        load_directory(write_with(tmp_path, service_id, **changes))
    assert f"service '{service_id}', field '{field}'" in str(error.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(SERVICES.read_text())
    raw["services"].append(dict(raw["services"][0]))
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(DirectoryError, match="duplicate service id"):
        load_directory(path)


def test_gateway_refuses_to_start_with_a_bad_directory(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tests.helpers import make_settings, migrated_app

    data = tmp_path / "data"
    (data / "forces").mkdir(parents=True)
    (data / "forces" / "durham.yml").write_text((ROOT / "data" / "forces" / "durham.yml").read_text())
    write_with(data, "harbour", phone="not a number")
    app = migrated_app(make_settings(tmp_path, data_dir=data))
    with pytest.raises(DirectoryError, match="service 'harbour', field 'phone'"), TestClient(app):
        pass


def test_who_speaks_a_language_and_who_uses_interpreters(tmp_path: Path) -> None:
    directory = load_directory(write_with(tmp_path, "harbour", languages=["en", "pl"]))
    assert [s.id for s in directory.speaking("pl")] == ["harbour"]
    assert directory.speaking("ur") == []
    interpreting = [s.id for s in directory.with_interpreters("ur")]
    assert interpreting == ["modern_slavery_helpline"], "only a service a source says uses interpreters"
    assert load_directory(SERVICES).get("modern_slavery_helpline").interpreters_source  # type: ignore[union-attr]
