"""Helpers for the dashboard's fast tests: sign in with a key, read a page's CSRF token, post a form."""

from __future__ import annotations

import re

import httpx

from tests.server.service_env import ServiceEnv

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html
    return found.group(1)


async def sign_in(env: ServiceEnv, key: str, tenant: str = "") -> httpx.Response:
    """Sign the shared client in (its cookie jar keeps the session); returns the redirect."""
    form = await env.api.get("/dashboard/signin")
    assert form.status_code == 200, form.text
    r = await env.api.post(
        "/dashboard/signin", data={"csrf": csrf_of(form.text), "api_key": key, "tenant": tenant}
    )
    return r


async def post_form(env: ServiceEnv, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Open ``page`` for its CSRF token, then post ``data`` to ``action`` with it."""
    opened = await env.api.get(page)
    assert opened.status_code == 200, opened.text
    return await env.api.post(action, data={"csrf": csrf_of(opened.text), **data})
