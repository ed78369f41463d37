"""Cost of the hub's pure matcher at 10k and 100k organisations (near-linear is the goal).

Profiles are synthesised from the sandbox's fake data, canonical fields as ``source_records.fields``
holds them (lower-case registrable domain, ISO country, E.164 phone): ~8 % of organisations are
entered a second time in another system (name variant, the same domain most of the time), names
repeat across countries as in real data.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from bench.measure import Measured
from sandbox.kit import fakedata as fd

SYLLABLES = (
    "vor",
    "tex",
    "ia",
    "lum",
    "cor",
    "an",
    "dra",
    "nex",
    "ul",
    "bri",
    "sol",
    "ka",
    "mer",
    "ion",
    "zen",
    "tro",
    "pha",
    "quin",
    "ver",
    "ost",
    "ar",
    "el",
    "mo",
    "ri",
    "syn",
    "ta",
    "gen",
    "lo",
    "vi",
    "da",
)
SYSTEMS = (("hubspot", "companies"), ("salesforce", "accounts"), ("partnerstack", "partnerships"))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def org_profiles(n: int, seed: int = 1) -> list[tuple[str, str, str, dict[str, Any]]]:
    """``n`` (record id, system, object, canonical fields) organisation records."""
    rng = random.Random(seed)
    out: list[tuple[str, str, str, dict[str, Any]]] = []
    while len(out) < n:
        _, code, city = fd.pick_country(rng)
        base = f"{_word(rng)} {rng.choice(fd.NAME_TAILS)}"
        name = f"{base} {fd.legal_form(rng, code)}".strip()
        domain = f"{fd.slug(base)}.{fd.COUNTRY_TLD.get(code, 'com') if rng.random() < 0.4 else 'com'}"
        phone = "+" + fd.CALLING_CODES.get(code, "1") + fd.national_number(rng, code)
        fields = {
            "name": name,
            "primary_domain": domain if rng.random() < 0.93 else None,
            "country": code,
            "city": city,
            "phone": phone if rng.random() < 0.8 else None,
        }
        system, obj = SYSTEMS[len(out) % 3]
        out.append((f"r{len(out):07d}", system, obj, fields))
        if rng.random() < 0.08 and len(out) < n:
            other = dict(fields, name=fd.name_variant(rng, name))
            if rng.random() < 0.2:
                other["primary_domain"] = None
            system, obj = SYSTEMS[(len(out) + 1) % 3]
            out.append((f"r{len(out):07d}", system, obj, other))
    return out


def time_matcher(
    sizes: tuple[int, ...] = (10_000, 100_000), on_row: Callable[[dict[str, Any]], None] | None = None
) -> list[dict[str, Any]] | str:
    """Seconds, records/s and peak RSS of ``cluster_records`` per size; a message when it is missing.

    ``on_row`` sees each size's row as soon as it is measured (the 100k run takes a while).
    """
    try:
        from hub.identity.engine import MatchInput, cluster_records  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return "matcher not available yet (hub.identity.engine.cluster_records)"
    rows: list[dict[str, Any]] = []
    for size in sizes:
        records = [
            MatchInput(record_id=r, system=s, instance=s, object=o, fields=f) for r, s, o, f in org_profiles(size)
        ]
        with Measured() as measured:
            started = time.perf_counter()
            clusters = cluster_records("organization", records)
            seconds = time.perf_counter() - started
        rows.append(
            {
                "records": size,
                "seconds": round(seconds, 2),
                "records_per_s": round(size / seconds),
                "peak_rss_mb": round(measured.sample.peak_rss_mb, 1),
                "clusters": len(set(clusters.values())),
            }
        )
        if on_row is not None:
            on_row(rows[-1])
    if len(rows) >= 2 and rows[0]["seconds"]:
        rows[-1]["ratio_to_first"] = round(rows[-1]["seconds"] / rows[0]["seconds"], 1)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Time hub.identity.engine.cluster_records on synthetic organisations")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated numbers of organisations")
    args = parser.parse_args()
    result = time_matcher(tuple(int(n) for n in args.sizes.split(",")), on_row=print)
    print(result if isinstance(result, str) else f"ratio last/first: {result[-1].get('ratio_to_first')}")


if __name__ == "__main__":
    main()
