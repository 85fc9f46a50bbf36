"""The web chat page. Served with the quick-exit address from settings filled in."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep

router = APIRouter(tags=["pages"], include_in_schema=False)
STATIC = Path(__file__).resolve().parents[1] / "static"
# The address written in index.html; every occurrence (the link and data-exit-url) becomes the configured one.
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"


@lru_cache(maxsize=4)
def _page(exit_url: str) -> str:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return page.replace(f'"{DEFAULT_EXIT_URL}"', f'"{html.escape(exit_url, quote=True)}"')


@router.get("/", response_class=HTMLResponse)
async def index(runtime: RuntimeDep) -> HTMLResponse:
    return HTMLResponse(_page(runtime.settings.quick_exit_url))
