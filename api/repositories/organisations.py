"""Per-organisation portal settings. Nothing here commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.models import Organisation


def notice_targets(session: Session, org_id: str) -> tuple[str | None, str | None]:
    """Where the new-handover notice goes: (webhook URL, email address), either may be None."""
    row = session.get(Organisation, org_id)
    return (row.notice_webhook_url, row.notice_email) if row else (None, None)


def set_notice_targets(session: Session, org_id: str, webhook: str | None, email: str | None) -> None:
    row = session.get(Organisation, org_id)
    if row is None:
        session.add(Organisation(id=org_id, notice_webhook_url=webhook, notice_email=email))
    else:
        row.notice_webhook_url, row.notice_email = webhook, email
