"""Rasa's action server protocol, served by rasa-sdk's executor inside the gateway process."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from api.deps import InternalOnly

router = APIRouter(prefix="/actions", tags=["rasa"], dependencies=[InternalOnly], include_in_schema=False)


def get_executor(request: Request) -> ActionExecutor:
    """Built with the runtime in the app's lifespan (api/main.py), so each action holds the state it uses."""
    executor: ActionExecutor = request.app.state.action_executor
    return executor


@router.post("/webhook")
async def webhook(request: Request, action_call: dict[str, Any] = Body(...)) -> JSONResponse:
    executor = get_executor(request)
    try:
        result = await executor.run(action_call)
    except ActionExecutionRejection as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, status_code=400)
    except ActionNotFoundException as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, status_code=404)
    return JSONResponse(result.model_dump() if result else None)
