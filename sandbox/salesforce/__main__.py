"""``python -m sandbox.salesforce``: serve the simulated Salesforce org alone over HTTPS.

Prints the base URL, the certificate path and the credentials, then serves until Ctrl+C.
``--write-fixture PATH`` writes the generated world (``{"format", "salesforce"}``) and exits.
``--with-hubspot`` projects the world from the shared ecosystem of the same seed and size (the
organisations, people and partner deals HubSpot's world holds too; see
:mod:`sandbox.salesforce.gen_linked`); the written fixture then holds the ecosystem's section too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import threading

from sandbox.ecosystem import FIXTURE_FORMAT, Ecosystem
from sandbox.ecosystem.vocabulary import SECTION as ECOSYSTEM_SECTION
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.generate import generate_world
from sandbox.salesforce.server import SalesforceSandbox


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.salesforce", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0 = any free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=1000, help="Accounts + Contacts + Opportunities + Leads")
    parser.add_argument("--fixture", help="load the world from this fixture JSON (its 'salesforce' section)")
    parser.add_argument("--session-ttl", type=float, default=7200.0, help="issued session lifetime without use (s)")
    parser.add_argument("--daily-api-limit", type=int, default=100_000, help="API requests per 24 h; 0 = unlimited")
    parser.add_argument("--no-multicurrency", action="store_true", help="run as an org without multi-currency")
    parser.add_argument("--no-partner", action="store_true", help="run as an org without partner features (PRM)")
    parser.add_argument("--rotate-refresh-tokens", action="store_true", help="refresh token rotation on")
    parser.add_argument("--json", action="store_true", help="print the connection details as JSON")
    parser.add_argument("--write-fixture", metavar="PATH", help="write the generated world to PATH and exit")
    parser.add_argument("--with-hubspot", action="store_true", help="project from the ecosystem of the same seed/size")
    args = parser.parse_args(argv)
    ecosystem = Ecosystem.generate(seed=args.seed, size=args.size) if args.with_hubspot else None
    if args.write_fixture:
        world = generate_world(seed=args.seed, size=args.size, ecosystem=ecosystem)
        shared = {"format": FIXTURE_FORMAT, ECOSYSTEM_SECTION: ecosystem.section()} if ecosystem else None
        doc = world.merge_into(shared) if shared is not None else world.to_fixture()
        with open(args.write_fixture, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=1, ensure_ascii=False)
        return
    config = SalesforceConfig(
        session_ttl=args.session_ttl,
        daily_api_limit=args.daily_api_limit,
        features={"multicurrency": not args.no_multicurrency, "partner": not args.no_partner},
        rotate_refresh_tokens=args.rotate_refresh_tokens,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SalesforceSandbox(
        args.seed, args.size, args.fixture, config, args.host, args.port, ecosystem=ecosystem
    ) as sandbox:
        details = sandbox.credentials
        if args.json:
            print(json.dumps(details), flush=True)
        else:
            print("Salesforce sandbox running. Press Ctrl+C to stop.")
            for key, value in details.items():
                print(f"  {key}: {value}")
            print("  admin header: X-Sandbox-Admin", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
