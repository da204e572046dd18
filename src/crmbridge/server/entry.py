"""What ``crmbridge serve`` hands uvicorn: an app factory each worker process calls, and JSON logging."""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI

from ..redaction import install_log_filter
from .app import create_app
from .middleware import JsonLogFormatter
from .settings import ServiceSettings

__all__ = ["build_app", "configure_logging"]


def configure_logging(level: int = logging.INFO) -> None:
    """One JSON line per record on stderr, for our loggers and uvicorn's; secrets masked by value."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    install_log_filter()


def build_app() -> FastAPI:
    """A worker's app: the runtime from the environment (``CRMBRIDGE_DATABASE_URL``, ``…_REDIS_URL``)."""
    configure_logging()
    settings = ServiceSettings.from_env()
    return create_app(settings=settings, rate_limit_scale=settings.rate_limit_scale)
