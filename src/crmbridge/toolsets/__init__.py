"""Toolsets: what every front end consumes (see :class:`Toolset`)."""

from .account import AccountToolset, ToolRunner
from .base import AbstractToolset, Toolset
from .functions import FunctionToolset
from .selection import select_tools, unknown_tool_result
from .wrappers import CombinedToolset, FilteredToolset, PrefixedToolset, RenamedToolset, WrapperToolset

__all__ = [
    "AbstractToolset",
    "AccountToolset",
    "CombinedToolset",
    "FilteredToolset",
    "FunctionToolset",
    "PrefixedToolset",
    "RenamedToolset",
    "ToolRunner",
    "Toolset",
    "WrapperToolset",
    "select_tools",
    "unknown_tool_result",
]
