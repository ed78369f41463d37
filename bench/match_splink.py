"""Splink (Fellegi-Sunter, DuckDB) on the same synced records, as a reference for the hub's matcher.

Optional: needs the ``bench`` extra (``.venv/bin/pip install -e '.[bench]'``: splink, duckdb).
Records are standardised the simple way a data scientist would before handing them to Splink:
organisations by lower-cased name without legal form or punctuation (accents folded), its first
token, registrable domain (tldextract's bundled suffix list, no download), country, city and phone;
people by first and last name, email, email domain and employer domain.  Unsupervised: blocking
on domain / name token / email / last name, u by random sampling, m by EM, clusters at a match
probability threshold.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Mapping
from typing import Any

Record = tuple[str, str, str]

LEGAL = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "se",
        "kg",
        "co",
        "corp",
        "corporation",
        "company",
        "plc",
        "llp",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "pty",
        "pvt",
        "private",
        "proprietary",
    }
)


def available() -> str | None:
    """Splink's version, or None when it is not installed."""
    try:
        import duckdb  # noqa: F401
        import splink
    except ImportError:
        return None
    return str(splink.__version__)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def std_name(name: Any) -> str | None:
    """``Müller Logistik GmbH & Co. KG`` → ``muller logistik``."""
    if not name:
        return None
    words = re.findall(r"[a-z0-9]+", _fold(str(name)).lower())
    while len(words) > 1 and words[-1] in LEGAL:
        words.pop()
    return " ".join(words) or None


_EXTRACT: Any = None


def registrable(domain: Any) -> str | None:
    """``www.shop.acme.co.uk`` → ``acme.co.uk`` (public-suffix snapshot bundled with tldextract)."""
    global _EXTRACT
    if not domain:
        return None
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=())
    parts = _EXTRACT(str(domain).lower())
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else None


def org_rows(records: Mapping[Record, Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for n, (_, fields) in enumerate(sorted(records.items())):
        name = std_name(fields.get("name"))
        rows.append(
            {
                "unique_id": n,
                "name": name,
                "name_token": name.split()[0] if name else None,
                "domain": registrable(fields.get("primary_domain")),
                "country": fields.get("country"),
                "city": (fields.get("city") or "").lower() or None,
                "phone": fields.get("phone"),
            }
        )
    return rows


def person_rows(
    records: Mapping[Record, Mapping[str, Any]], employer: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    rows = []
    for n, (_, fields) in enumerate(sorted(records.items())):
        email = (fields.get("email") or "").lower() or None
        rows.append(
            {
                "unique_id": n,
                "first_name": (std_name(fields.get("first_name")) or None),
                "last_name": std_name(fields.get("last_name")),
                "email": email,
                "email_domain": email.rpartition("@")[2] if email else None,
                "employer_domain": employer.get(str(fields.get("organization_id") or "")),
                "phone": fields.get("phone"),
            }
        )
    return rows


def dedupe(
    entity: str, records: Mapping[Record, Mapping[str, Any]], rows: list[dict[str, Any]], threshold: float = 0.95
) -> tuple[dict[Record, str], float]:
    """Splink's clusters (record → cluster id) of ``rows`` (from :func:`org_rows` / :func:`person_rows`)."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    if entity == "organization":
        comparisons: list[Any] = [
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88]),
            cl.ExactMatch("domain"),
            cl.ExactMatch("country"),
            cl.ExactMatch("city"),
            cl.ExactMatch("phone"),
        ]
        blocking: list[Any] = [block_on("domain"), block_on("name_token", "country"), block_on("phone")]
        deterministic: list[Any] = [block_on("domain"), block_on("name")]
        em_rules = [block_on("domain"), block_on("name_token")]
    else:
        comparisons = [
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("last_name", [0.95, 0.88]),
            cl.ExactMatch("email"),
            cl.ExactMatch("employer_domain"),
            cl.ExactMatch("phone"),
        ]
        blocking = [block_on("email"), block_on("last_name", "employer_domain"), block_on("last_name", "email_domain")]
        deterministic = [block_on("email")]
        em_rules = [block_on("last_name"), block_on("email")]
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=blocking
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(rows), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    keys = sorted(records)
    out: dict[Record, str] = {}
    for row in clusters.as_pyarrow_table().to_pylist():
        out[keys[int(row["unique_id"])]] = str(row["cluster_id"])
    for n, key in enumerate(keys):  # records no pair touched are clusters of their own
        out.setdefault(key, f"single-{n}")
    return out, time.perf_counter() - started
