"""Bindings: user-authored skills over any object and field of an account's discovered schema, in the
``restSearch`` / ``restWrite`` grammar; validated against that account's snapshot, previewed, compiled
into a tool definition the engine runs, and proposed from a plain-language goal ("describe it")."""

from __future__ import annotations

from .compile import CompiledBinding, compile_binding
from .describe import Proposal, propose
from .problems import BindingInvalid, Problem
from .service import BindingDrifted, Bindings
from .toolset import BindingToolset, BoundBinding
from .validate import Validated, parse, validate

__all__ = [
    "BindingDrifted",
    "BindingInvalid",
    "BindingToolset",
    "Bindings",
    "BoundBinding",
    "CompiledBinding",
    "Problem",
    "Proposal",
    "Validated",
    "compile_binding",
    "parse",
    "propose",
    "validate",
]
