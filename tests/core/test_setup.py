"""Set-up the way a newcomer meets it: the database from the environment, and install hints for extras."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crmbridge import Bridge, Runtime
from crmbridge.errors import ConfigurationError
from crmbridge.vault import Vault


@pytest.fixture
def vault() -> Vault:
    return Vault.from_string(Vault.generate_key())


def test_the_database_url_comes_from_the_environment_when_none_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vault: Vault
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", url)
    with Bridge(data_dir=tmp_path / "home", vault=vault) as bridge:
        bridge.add_connection("hubspot", provider="hubspot")
    with Runtime(data_dir=tmp_path / "home", vault=vault) as runtime:
        assert [c.name for c in runtime.tenant("default").list_connections()] == ["hubspot"]
    assert (tmp_path / "from-env.db").exists() and not (tmp_path / "home" / "crmbridge.db").exists()
    # An explicit URL wins over the environment.
    with Bridge(f"sqlite:///{tmp_path / 'explicit.db'}", data_dir=tmp_path, vault=vault) as bridge:
        assert bridge.list_connections() == []


def test_a_missing_postgres_driver_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: Vault
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    with pytest.raises(ConfigurationError, match=r"pip install 'crmbridge\[postgres\]'"):
        Bridge("postgresql://nobody@127.0.0.1:1/none", data_dir=tmp_path, vault=vault)


def test_a_missing_redis_package_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: Vault
) -> None:
    for name in ("redis", "redis.asyncio"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "crmbridge.engine.ratelimit_redis", raising=False)
    with pytest.raises(ConfigurationError, match=r"pip install 'crmbridge\[redis\]'"):
        Bridge(
            f"sqlite:///{tmp_path / 'r.db'}",
            data_dir=tmp_path,
            vault=vault,
            redis_url="redis://127.0.0.1:1/0",
        )


def test_the_readme_sandbox_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A Bridge on the sandbox", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRMBRIDGE_HOME", str(tmp_path))
    monkeypatch.setenv("CRMBRIDGE_SECRET_KEYS", Vault.generate_key())
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    bridge = namespace["bridge"]
    assert isinstance(bridge, Bridge)
    try:
        result = bridge.execute_tool(
            identifier="me", tool_name="pipedrive_deals_list", tool_input={"limit": 1}
        )
        assert result.ok, result.error
        assert [a.status.value for a in bridge.list_connected_accounts()] == ["ACTIVE", "ACTIVE"]
    finally:
        bridge.close()
