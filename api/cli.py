"""Operator commands: `python -m api.cli install-models pl ro ...` (what `make models LANGS="..."` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.core.config import ROOT
from api.pipeline.translation import TARGET, configure_argos, install_package, installed_sources

LOCAL_MODELS = ROOT / "models" / "argos"


def _from_index(home: Path, language: str) -> bool:
    """Download and install from the argos package index; False when it cannot be reached or has no pair."""
    configure_argos(home)
    try:
        from argostranslate import package

        package.update_package_index()
        for available in package.get_available_packages():
            if available.from_code == language and available.to_code == TARGET:
                package.install_from_path(available.download())
                return True
    except Exception as error:  # no network here is the normal case: say so plainly
        print(f"  the argos package index cannot be reached ({type(error).__name__})")
        return False
    print(f"  the argos package index has no {language}->{TARGET} package")
    return False


def install_models(languages: list[str], var_dir: Path, local_dir: Path) -> int:
    home = var_dir / "argos"
    failed = []
    for language in languages:
        local = sorted(local_dir.glob(f"translate-{language}_{TARGET}*.argosmodel"))
        print(f"{language} -> {TARGET}:")
        if local:
            install_package(home, local[-1])
            print(f"  installed from {local[-1]}")
        elif not _from_index(home, language):
            print(
                f"  not installed: put translate-{language}_{TARGET}-<version>.argosmodel in {local_dir} and run again"
            )
            failed.append(language)
    print(f"installed pairs: {', '.join(sorted(installed_sources(home))) or 'none'} (restart the gateway to use them)")
    return 1 if failed else 0


def purge() -> int:
    from api.core.config import get_settings
    from api.retention import purge_all

    removed, trackers = purge_all(get_settings())
    print(f"purged {removed} handover(s) past retention and {trackers} idle tracker event(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("install-models", help="install argostranslate packages xx->en")
    models.add_argument("languages", nargs="+")
    models.add_argument("--from-dir", type=Path, default=LOCAL_MODELS, help="where local .argosmodel files are")
    models.add_argument("--var-dir", type=Path, default=ROOT / "var")
    commands.add_parser("purge", help="delete handovers past retention and idle Rasa trackers")
    args = parser.parse_args(argv)
    if args.command == "purge":
        return purge()
    return install_models(args.languages, args.var_dir, args.from_dir)


if __name__ == "__main__":
    sys.exit(main())
