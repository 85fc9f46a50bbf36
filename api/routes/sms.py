"""Twilio's SMS webhook: form-encoded in, TwiML out. Every request's signature is checked first."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from twilio.request_validator import RequestValidator

from api.core.config import Settings
from api.sms.channel import SmsChannel

router = APIRouter(prefix="/sms", tags=["sms"], include_in_schema=False)
TWIML = "application/xml"


def sms_state(settings: Settings) -> str:
    """What /healthz reports, and whether the route runs at all."""
    if settings.sms_skip_signature_check:
        return "signature check OFF (development only)"
    if settings.twilio_auth_token is None or not settings.sms_public_url:
        return "disabled (set TWILIO_AUTH_TOKEN and SMS_PUBLIC_URL)"
    return "enabled"


def sms_enabled(settings: Settings) -> bool:
    return not sms_state(settings).startswith("disabled")


def signed(settings: Settings, request: Request, params: dict[str, str]) -> bool:
    if settings.sms_skip_signature_check:
        return True
    token = settings.twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature")
    if token is None or not signature or not settings.sms_public_url:
        return False
    return bool(RequestValidator(token.get_secret_value()).validate(settings.sms_public_url, params, signature))


@router.post("/twilio")
async def twilio_webhook(request: Request) -> Response:
    channel: SmsChannel = request.app.state.sms
    settings = channel.runtime.settings
    form = await request.form()
    params = {key: str(value) for key, value in form.multi_items()}
    if not signed(settings, request, params):
        return Response(status_code=status.HTTP_403_FORBIDDEN)
    sender, sid = params.get("From", ""), params.get("MessageSid", "")
    if not sender or not sid:
        return Response("<Response/>", status_code=status.HTTP_400_BAD_REQUEST, media_type=TWIML)
    twiml = await channel.handle(sid, sender, channel.conversation.fit(params.get("Body", "")))
    return Response(twiml, media_type=TWIML)
