"""``from crmbridge.langchain import get_tools``: seed 003's LangChain example ports with one line.

Needs ``langchain-core`` (``pip install 'crmbridge[langchain]'``).
"""

from __future__ import annotations

from .adapters.langchain import get_tools, langchain_tool

__all__ = ["get_tools", "langchain_tool"]
