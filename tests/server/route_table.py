"""The app's own route table, read for the tests: which routes exist, which scope each needs (from the
``require(scope)`` dependency itself), and how to fill a route's path. A route added later is covered by
every test built on this without touching a list here."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from crmbridge.server.security import RequiredScope, authenticate

#: Routes that answer without an API key, on purpose (health probes and the browser's OAuth round trip).
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/oauth/begin", "/oauth/callback"})


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    scope: str | None  # None: public
    authenticates: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)

    def url(self, values: Mapping[str, str]) -> str:
        return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], self.path)


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path) of the app's API routes, with the scope its dependencies require."""
    found = []
    for context in iter_route_contexts(app.routes):  # FastAPI >= 0.16x keeps included routers lazily
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        dependant = getattr(context, "dependant", None) or route.dependant  # with the router's own
        calls = list(_calls(dependant))
        scopes = {c.scope for c in calls if isinstance(c, RequiredScope)}
        assert len(scopes) <= 1, f"{route.path} requires several scopes: {scopes}"
        for method in sorted((context.methods or route.methods) - {"HEAD"}):
            found.append(
                Endpoint(
                    method=method,
                    path=context.path or route.path,
                    scope=next(iter(scopes), None),
                    authenticates=authenticate in calls or bool(scopes),  # RequiredScope authenticates
                )
            )
    return found


def protected(app: FastAPI) -> list[Endpoint]:
    return [e for e in endpoints(app) if e.path not in PUBLIC_PATHS]
