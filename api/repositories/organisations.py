"""Per-organisation portal settings. Nothing here commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.models import Organisation


def notice_webhook(session: Session, org_id: str) -> str | None:
    row = session.get(Organisation, org_id)
    return row.notice_webhook_url if row else None


def set_notice_webhook(session: Session, org_id: str, url: str | None) -> None:
    row = session.get(Organisation, org_id)
    if row is None:
        session.add(Organisation(id=org_id, notice_webhook_url=url))
    else:
        row.notice_webhook_url = url
