"""``python -m sandbox``: serve the simulated systems, or write a generated world to a file."""

from __future__ import annotations

import argparse

from sandbox.ecosystem import Ecosystem
from sandbox.server import serve


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900, help="base port (first system); 0 = any free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=1000, help="number of CRM records in the shared ecosystem")
    parser.add_argument("--fixture", help="load the world from this fixture JSON instead of generating it")
    parser.add_argument("--rate-limit", type=int, default=190, help="requests per 10 s per token; 0 = off")
    parser.add_argument("--search-rate-limit", type=int, default=5, help="searches per second; 0 = off")
    parser.add_argument("--token-ttl", type=float, default=1800.0, help="OAuth access-token lifetime (s)")
    parser.add_argument("--webhook-url", help="deliver HubSpot webhooks (signed) to this URL")
    parser.add_argument("--json", action="store_true", help="print base URLs and credentials as JSON")
    parser.add_argument("--write-fixture", metavar="PATH", help="write the generated ecosystem to PATH and exit")
    args = parser.parse_args(argv)
    if args.write_fixture:
        Ecosystem.generate(seed=args.seed, size=args.size).save(args.write_fixture)
        return
    serve(
        port=args.port,
        seed=args.seed,
        size=args.size,
        fixture=args.fixture,
        host=args.host,
        as_json=args.json,
        rate_limit=args.rate_limit,
        search_rate_limit=args.search_rate_limit,
        token_ttl=args.token_ttl,
        webhook_url=args.webhook_url,
    )


if __name__ == "__main__":
    main()
