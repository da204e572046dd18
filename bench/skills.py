"""What a pack skill costs on top of the catalog tool it runs, side by side in one run (in-process sandbox).

* install: compiling the HubSpot pack for an account and storing its six skills (median of ``--rounds``
  reinstalls, which read the account's configuration again every time);
* ``find_contact`` (normalise, one search, local re-check) vs the raw ``hubspot_contacts_search`` with
  the same filter groups;
* a gated ``log_note`` (ask + confirm: token issue, redeem, serial lane) vs the raw ``hubspot_note_create``.

Run: ``python -m bench.skills --rounds 50``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from crmbridge import Bridge
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox


def _median_ms(run: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    sandbox = Sandbox()
    token = sandbox.hubspot.create_portal(seed_value=7).private_app_token
    with tempfile.TemporaryDirectory() as home:
        bridge = Bridge(
            database_url=f"sqlite:///{home}/b.db",
            data_dir=home,
            transport=sandbox.transport(),
            vault=Vault.from_string(Vault.generate_key()),
        )
        bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
        agents = bridge.agents
        agent = agents.create_agent("bench")["id"]
        bridge.connect_api_key(connection_name="hubspot", identifier="default", api_key=token)
        contact = bridge.execute_tool(
            identifier="default",
            tool_name="hubspot_record_create",
            tool_input={"entity": "contacts", "properties": {"phone": "+1 (415) 555-0100"}},
        ).data["id"]
        install = _median_ms(lambda: agents.install_pack(agent, "hubspot"), rounds)
        groups = [
            {"filters": [{"propertyName": p, "operator": op, "value": v}]}
            for p in ("phone", "mobilephone")
            for op, v in (("EQ", "+14155550100"), ("CONTAINS_TOKEN", "*0100"))
        ]
        raw_search = {"filterGroups": groups, "properties": ["email", "firstname", "lastname", "phone"]}
        raw_find = _median_ms(
            lambda: bridge.execute_tool(
                identifier="default", tool_name="hubspot_contacts_search", tool_input=raw_search
            ),
            rounds,
        )
        skill_find = _median_ms(
            lambda: agents.execute(agent, "find_contact", {"phone": "4155550100"}), rounds
        )
        note = {"body": "bench", "associations": {"contacts": [contact]}}
        raw_note = _median_ms(
            lambda: bridge.execute_tool(
                identifier="default", tool_name="hubspot_note_create", tool_input=note
            ),
            rounds,
        )

        def gated() -> None:
            args = {"contact_id": contact, "text": "bench"}
            asked = agents.execute(agent, "log_note", args)
            agents.execute(agent, "log_note", args, confirmation=asked.error.details["confirmation"])

        skill_note = _median_ms(gated, rounds)
        bridge.close()
    print(f"install (compile + store 6 skills): {install:.1f} ms")
    print(
        f"find_contact {skill_find:.2f} ms vs raw search {raw_find:.2f} ms (+{skill_find - raw_find:.2f} ms)"
    )
    print(f"gated log_note (ask + confirm) {skill_note:.2f} ms vs raw note create {raw_note:.2f} ms")


if __name__ == "__main__":
    main()
