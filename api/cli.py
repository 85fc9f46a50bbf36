"""Operator commands: `python -m api.cli install-models pl ro ...` (what `make models LANGS="..."` runs),
`purge`, and `create-worker --org ORG --email EMAIL --role worker|admin` (password on stdin)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.core.config import ROOT
from api.core.files import private_dir
from api.pipeline.translation import TARGET, configure_argos, install_package, installed_sources

LOCAL_MODELS = ROOT / "models" / "argos"


def _from_index(home: Path, language: str) -> bool:
    """Download and install from the argos package index; False when it cannot be reached or has no pair."""
    configure_argos(home)
    try:
        from argostranslate import package, settings

        package.update_package_index()
        if not Path(settings.local_package_index).exists():
            # argostranslate asks again for an index it could not fetch, recursing until Python stops it (half a
            # minute of the same error): with no index, there is nothing to look up.
            print("  the argos package index cannot be reached (no index was downloaded)")
            return False
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


def migrate_database() -> int:
    """The migrate step: run once per deployment (and by api/stack.py), never by a replica as it starts."""
    from api.core.config import get_settings
    from api.core.db import migrate

    settings = get_settings()
    if settings.effective_database_url.startswith("sqlite"):
        private_dir(settings.var_dir)
    migrate(settings.effective_database_url)
    print("database schema is at the newest revision")
    return 0


def purge() -> int:
    from api.core.config import get_settings
    from api.retention import purge_all

    removed, trackers = purge_all(get_settings())
    print(f"purged {removed} handover(s) past retention and {trackers} idle tracker event(s)")
    return 0


def add_worker(org: str, email: str, role: str) -> int:
    """Reads the password from stdin (a prompt without echo on a terminal), prints the TOTP secret once."""
    import getpass

    from api.content.directory import load_directory
    from api.core.config import get_settings
    from api.core.db import Database, require_migrated
    from api.portal.accounts import AccountError, create_worker
    from api.runtime import cipher_for

    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    settings = get_settings()
    private_dir(settings.var_dir)
    database = Database(settings.effective_database_url)
    directory = load_directory(settings.data_dir / "services.yml")
    try:
        require_migrated(database.engine)
        with database.unit_of_work() as session:
            created = create_worker(
                session, cipher_for(settings), directory, org_id=org, email=email, role=role, password=password
            )
    except AccountError as error:
        print(f"not created: {error}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"created {created.worker.role} {created.worker.email} for {created.worker.org_id}")
    print(f"TOTP secret: {created.totp_secret}")
    print(f"otpauth URI: {created.otpauth_uri}")
    if sys.stdout.isatty():
        import segno

        segno.make(created.otpauth_uri, error="m").terminal(compact=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("install-models", help="install argostranslate packages xx->en")
    models.add_argument("languages", nargs="+")
    models.add_argument("--from-dir", type=Path, default=LOCAL_MODELS, help="where local .argosmodel files are")
    models.add_argument("--var-dir", type=Path, default=ROOT / "var")
    commands.add_parser("migrate", help="bring the database schema to the newest revision (once per deployment)")
    commands.add_parser("purge", help="delete handovers past retention and idle Rasa trackers")
    worker = commands.add_parser("create-worker", help="add a support worker (password on stdin; prints TOTP secret)")
    worker.add_argument("--org", required=True, help="a service id from data/services.yml that accepts handovers")
    worker.add_argument("--email", required=True)
    worker.add_argument("--role", required=True, choices=["worker", "admin"])
    args = parser.parse_args(argv)
    from api.core.db import SchemaNotReady

    try:
        if args.command == "migrate":
            return migrate_database()
        if args.command == "purge":
            return purge()
        if args.command == "create-worker":
            return add_worker(args.org, args.email, args.role)
    except SchemaNotReady as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return install_models(args.languages, args.var_dir, args.from_dir)


if __name__ == "__main__":
    sys.exit(main())
