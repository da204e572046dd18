"""Start-up cost: ``import crmbridge`` plus loading every provider's catalog, against ``import hubspot``.

Each round starts two fresh interpreters, one per side, in a shuffled order, and each side times its
own imports with ``perf_counter`` (interpreter start-up itself is the same for both and left out). The
report gives the medians, their ratio, and which heavy modules the crmbridge side pulled in (none of
httpx, SQLAlchemy, jsonschema, faker, starlette or uvicorn should be loaded just to list tools).
Run: ``make bench`` or ``python -m bench.cold_start --rounds 21``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from typing import Any

HEAVY = ("httpx", "sqlalchemy", "jsonschema", "fastjsonschema", "faker", "starlette", "uvicorn", "alembic")

OURS = f"""
import sys, time, json
t = time.perf_counter()
import crmbridge
from crmbridge.providers import default_catalog
tools = default_catalog().tools()
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "tools": len(tools),
                  "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""

THEIRS = """
import time, json
t = time.perf_counter()
import hubspot
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def run(code: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    ours: list[float] = []
    theirs: list[float] = []
    last: dict[str, Any] = {}
    for _ in range(args.rounds):
        sides = [("ours", OURS), ("theirs", THEIRS)]
        rng.shuffle(sides)
        for name, code in sides:
            result = run(code)
            (ours if name == "ours" else theirs).append(result["seconds"])
            if name == "ours":
                last = result
    report = {
        "rounds": args.rounds,
        "median_ms": {
            "crmbridge_import_and_catalog": round(statistics.median(ours) * 1000, 1),
            "import_hubspot": round(statistics.median(theirs) * 1000, 1),
        },
        "ratio": round(statistics.median(ours) / statistics.median(theirs), 2),
        "tools_loaded": last.get("tools"),
        "heavy_modules_loaded": last.get("heavy"),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
