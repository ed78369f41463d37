"""HubSpot's streams and write operations as data.

API docs: https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies (and contacts,
deals); search: https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm. Stream paths
are those of the default API version; the connector reads the configured version's (``paths.py``).
"""

from __future__ import annotations

from connectors.hubspot.paths import ApiPaths
from connectors.sdk import ConnectorSpec, CursorTokenPaginator, StreamSpec, WriteSpec

DEFAULT_PATHS = ApiPaths("2026-03")
# The default name of the custom property (unique values) holding the hub's id (config: hub_id_property).
HUB_ID_PROPERTY = "partner_hub_id"

PROPERTIES: dict[str, list[str]] = {
    "companies": [
        "name", "domain", "phone", "city", "country", "industry", "numberofemployees", "annualrevenue",
        "type", "partner_tier", "partner_type", "duns", "createdate", "hs_lastmodifieddate",
    ],
    "contacts": [
        "email", "firstname", "lastname", "jobtitle", "phone", "company", "lifecyclestage",
        "createdate", "lastmodifieddate",
    ],
    "deals": [
        "dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate", "createdate",
        "hs_lastmodifieddate",
    ],
}  # fmt: skip

ASSOCIATIONS: dict[str, list[str]] = {
    "companies": [],
    "contacts": ["companies"],
    "deals": ["companies", "contacts"],
}

# Contacts name their modification time differently from companies and deals.
LAST_MODIFIED: dict[str, str] = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}


def _stream(name: str) -> StreamSpec:
    return StreamSpec(
        name=name,
        object=name,
        path=DEFAULT_PATHS.objects(name),
        primary_key="id",
        cursor_field=f"properties.{LAST_MODIFIED[name]}",
        record_selector=("results",),
        paginator=CursorTokenPaginator(token_path=("paging", "next", "after"), param="after"),
        params={"archived": "false"},
        supports_incremental=True,
        deletes_by_absence=True,  # a full read lists every live record, then the archived ones
        doc_url=f"https://developers.hubspot.com/docs/api-reference/latest/crm/objects/{name}",
    )


SPEC = ConnectorSpec(
    kind="hubspot",
    title="HubSpot CRM",
    streams=tuple(_stream(name) for name in ("companies", "contacts", "deals")),
    # Update by record id when the hub knows it, otherwise upsert by the hub-id property (writes.py);
    # never by hs_object_id or domain, which HubSpot refuses as idProperty.
    writes=tuple(
        WriteSpec(
            object=name,
            operation="upsert",
            id_property=HUB_ID_PROPERTY,
            batch_size=100,
            doc_url=f"https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/{name}/batch/upsert-{name}",
        )
        for name in ("companies", "contacts", "deals")
    ),
    doc_url="https://developers.hubspot.com/docs/api-reference/overview",
)
