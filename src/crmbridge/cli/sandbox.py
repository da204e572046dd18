"""``crmbridge sandbox``: the fake CRMs on a local port, with a seeded account of each printed."""

from __future__ import annotations

import argparse
import sys


def _sandbox_command(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from crmbridge_sandbox import NetworkFaults, Sandbox, StateFile, StateFileError
    except ImportError:
        print("crmbridge sandbox needs the sandbox extra: pip install 'crmbridge[sandbox]'", file=sys.stderr)
        return 2

    state_file = StateFile(args.state, seed=args.seed) if args.state else None
    try:
        sandbox = Sandbox(rate_window_scale=args.rate_window_scale, state_file=state_file)
        portal, company, token = sandbox.starter_accounts(seed=args.seed)
        sandbox.save_state()
    except StateFileError as exc:
        print(f"crmbridge sandbox: {exc}", file=sys.stderr)
        return 2
    root = f"http://{args.host}:{args.port}"
    print(
        f"""crmbridge sandbox: fake HubSpot and Pipedrive on {root}

HubSpot portal {portal.id} ({portal.tier} tier, seeded)
  base URL           {root}/hubspot
  private-app token  {portal.private_app_token}
  try: curl -H "Authorization: Bearer {portal.private_app_token}" {root}/hubspot/crm/v3/objects/contacts?limit=3

Pipedrive company {company.id} ({company.plan} plan, seeded)
  api_domain         {root}/pipedrive/{company.domain}
  API token          {token}
  try: curl -H "x-api-token: {token}" {root}/pipedrive/{company.domain}/api/v2/deals?limit=3

Call the tools on it, from another terminal:
  crmbridge connect-api-key --connection hubspot --provider hubspot --identifier me \\
      --base-url {root}/hubspot --api-key {portal.private_app_token}
  crmbridge tools call hubspot_contacts_search --identifier me --input '{{"query": "John Smith"}}'

Control API: {root}/_sandbox/... (new portals, companies and OAuth apps, clock, faults, request log;
see the README). Press Ctrl+C to stop.
{_state_line(args.state, sandbox.restored)}""",
        flush=True,
    )
    uvicorn.run(NetworkFaults(sandbox), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _state_line(path: str | None, restored: bool) -> str:
    if path is None:
        return (
            "State: in memory only, gone when the sandbox stops (keep it across restarts with --state PATH)."
        )
    return f"State: {'restored from' if restored else 'saved in'} {path} (accounts, apps, tokens, records)."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sb = sub.add_parser(
        "sandbox", help="serve the fake HubSpot and Pipedrive APIs (with a seeded portal and company)"
    )
    sb.add_argument("--host", default="127.0.0.1")
    sb.add_argument("--port", type=int, default=8600)
    sb.add_argument("--seed", type=int, default=1, help="seed of the generated data (same seed, same data)")
    sb.add_argument(
        "--rate-window-scale",
        type=float,
        default=1.0,
        help="multiply rate-limit windows by this factor (e.g. 0.01 for fast tests)",
    )
    sb.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    sb.add_argument(
        "--state",
        metavar="PATH",
        help="keep portals, companies, apps, tokens and records in this file across restarts "
        "(created if missing; use the same --seed)",
    )
    sb.set_defaults(func=_sandbox_command)
