"""Rows of other objects folded into a stream's records, with flat SOQL only.

* Opportunities get their live ``OpportunityPartner`` rows (partner account, role, primary flag) in
  the wire shape a parent-to-child subquery would give: ``"OpportunityPartnersFrom": {"totalSize",
  "done", "records"}``. The canonical model has no entity for a partner row on its own: it is part
  of the opportunity's ``partner_roles``.
* Channel program members get ``"Program": {"Name"}`` and ``"Level": {"Name", "Rank"}`` from the
  ``ChannelProgram`` / ``ChannelProgramLevel`` tables (small: loaded once per read), the shape a
  ``Program.Name`` relationship field would give.
* Deal registrations are Leads of one record type, found by DeveloperName through ``RecordType``.

Separate lookups rather than relationship queries: they rely only on ``SELECT ... WHERE Id IN``.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitypartner.htm
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_channelprogramlevel.htm
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from connectors.salesforce import soql
from connectors.salesforce.query import Record, Soql
from connectors.salesforce.streams import LEVEL_FIELDS, OPPORTUNITY_PARTNER_FIELDS, PROGRAM_FIELDS
from connectors.sdk import ConfigError

ID_CHUNK = 200  # ids per IN list: ~4.5 kB of query string, well inside URL limits
PARTNER_ROWS = "OpportunityPartnersFrom"


def chunks(ids: list[str], size: int = ID_CHUNK) -> list[list[str]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _fields_only(row: Record) -> Record:
    return {key: value for key, value in row.items() if key != "attributes"}


def attach_partners(runner: Soql, records: list[Record]) -> None:
    """Set each opportunity's partner rows (deleted opportunities get none)."""
    ids = [str(r["Id"]) for r in records if soql.is_record_id(str(r.get("Id", ""))) and r.get("IsDeleted") is not True]
    rows: dict[str, list[Record]] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        query = soql.select(
            "OpportunityPartner", OPPORTUNITY_PARTNER_FIELDS, [f"OpportunityId IN {soql.id_list(part)}"]
        )
        # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
        for row in runner.rows(query, all_rows=False):
            rows.setdefault(str(row.get("OpportunityId")), []).append(_fields_only(row))
    for record in records:
        found = sorted(rows.get(str(record.get("Id")), []), key=lambda row: str(row.get("Id")))
        record[PARTNER_ROWS] = {"totalSize": len(found), "done": True, "records": found}


class ProgramCatalog:
    """Names of channel programs and levels by id, loaded on first use."""

    def __init__(self, runner: Soql) -> None:
        self._runner = runner
        self._programs: dict[str, Record] | None = None
        self._levels: dict[str, Record] = {}

    def _load(self) -> dict[str, Record]:
        if self._programs is None:
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
            programs = self._runner.rows(soql.select("ChannelProgram", PROGRAM_FIELDS), all_rows=False)
            levels = self._runner.rows(soql.select("ChannelProgramLevel", LEVEL_FIELDS), all_rows=False)
            self._programs = {str(p["Id"]): {"Name": p.get("Name")} for p in programs}
            self._levels = {str(x["Id"]): {"Name": x.get("Name"), "Rank": x.get("Rank")} for x in levels}
        return self._programs

    def attach(self, records: list[Record]) -> None:
        programs = self._load() if records else {}
        for record in records:
            record["Program"] = programs.get(str(record.get("ProgramId")))
            record["Level"] = self._levels.get(str(record.get("LevelId")))


Enrichers = dict[str, Callable[[list[Record]], None]]


def enrichers(runner: Soql) -> Enrichers:
    """What ``SObjectStream.enrich`` may name, fresh for one read (the program catalog loads once)."""
    return {"partners": partial(attach_partners, runner), "programs": ProgramCatalog(runner).attach}


def record_type_id(runner: Soql, sobject: str, developer_name: str) -> str:
    """The Id of ``sobject``'s record type ``developer_name``; ``ConfigError`` if the org has none."""
    query = soql.select(
        "RecordType",
        ("Id", "DeveloperName"),
        [f"SobjectType = {soql.string_literal(sobject)}", f"DeveloperName = {soql.string_literal(developer_name)}"],
    )
    # https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_recordtype.htm
    rows: list[dict[str, Any]] = runner.rows(query, all_rows=False)
    if not rows:
        raise ConfigError(
            f"{sobject} has no record type {developer_name!r}: set deal_registration_record_type "
            "(DeveloperName) or deal_registration_record_type_id"
        )
    return str(rows[0]["Id"])
