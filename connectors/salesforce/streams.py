"""Salesforce's streams and write operations as data.

Every stream is a SOQL query through ``queryAll`` (deleted rows come back with ``IsDeleted = true``
and become tombstones), ordered by ``SystemModstamp, Id``, paged by ``nextRecordsUrl`` with the
SDK's next-URL strategy. The stream name is also the object name the mapping file and the ledger
use; ``SObjectStream`` says everything else a read needs, as data:

* ``sobject`` and default ``fields`` (those the org's describe does not list are left out of the
  SOQL: ``CurrencyIsoCode`` exists only with multi-currency, ``IsPartner``/``PartnerAccountId``/
  ``ChannelProgram*Name`` only with partner relationship management);
* ``record_type``: a filter to one Lead record type (``deal_registrations`` is the subset of Leads
  of the deal-registration type; the mapping format has no filter, so the connector splits Leads);
* ``enrich``: rows of other objects folded into each record (``enrich.py``);
* ``reread_when``: an ``(object, reference field)`` whose changed rows name records to re-read in an
  incremental read (an opportunity's partner rows change without the opportunity changing);
* ``requires``: objects the org must have for the stream to exist at all (channel programs are a
  PRM feature): without them the stream reads as empty and says why (reader.py).

Query: https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.sdk import ConnectorSpec, NextUrlPaginator, StreamSpec, WriteSpec

CURSOR_FIELD = "SystemModstamp"
# Opportunities re-read for partner-row changes must not move the cursor (reader.py): their cursor
# is the normaliser's copy of SystemModstamp, left null on those re-reads.
STREAM_CURSORS = {"opportunities": "_hub.cursor"}
# Read by the connector itself (ids, cursor, tombstones): never omitted from a query.
REQUIRED_FIELDS = frozenset({"Id", CURSOR_FIELD, "IsDeleted"})
OBJECT_REFERENCE = "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference"


@dataclass(frozen=True)
class SObjectStream:
    """One stream: the Salesforce object it reads and how (see the module docstring)."""

    stream: str
    sobject: str
    fields: tuple[str, ...]
    doc: str
    writable: bool = True
    record_type: bool = False
    enrich: tuple[str, ...] = ()
    reread_when: tuple[str, str] | None = None
    requires: tuple[str, ...] = ()

    @property
    def doc_url(self) -> str:
        return f"{OBJECT_REFERENCE}/{self.doc}"


_COMMON = ("CreatedDate", CURSOR_FIELD, "IsDeleted")
# The custom external-id field holding the hub's id (ADR 21): read and written only where the org's
# describe lists it (a default field the org lacks is left out of the query, reader.py).
HUB_ID_FIELD = "Partner_Hub_Id__c"

SOBJECTS: dict[str, SObjectStream] = {
    s.stream: s
    for s in (
        SObjectStream(
            "accounts", "Account",
            ("Id", "Name", "Website", "Type", "Industry", "BillingCity", "BillingCountry", "NumberOfEmployees",
             "AnnualRevenue", "Phone", "IsPartner", "ChannelProgramName", "ChannelProgramLevelName", HUB_ID_FIELD,
             *_COMMON),
            "sforce_api_objects_account.htm",
        ),
        SObjectStream(
            "contacts", "Contact",
            ("Id", "AccountId", "FirstName", "LastName", "Email", "Phone", "Title", HUB_ID_FIELD, *_COMMON),
            "sforce_api_objects_contact.htm",
        ),
        SObjectStream(
            "opportunities", "Opportunity",
            ("Id", "AccountId", "Name", "StageName", "Amount", "CurrencyIsoCode", "CloseDate", "Probability",
             "ForecastCategoryName", "IsClosed", "IsWon", "Type", "LeadSource", "PartnerAccountId", HUB_ID_FIELD,
             *_COMMON),  # ContactId (contact-centric orgs, API 46+): add it with extra_fields where it exists
            "sforce_api_objects_opportunity.htm",
            enrich=("partners",),
            reread_when=("OpportunityPartner", "OpportunityId"),
        ),
        SObjectStream(
            "deal_registrations", "Lead",
            ("Id", "FirstName", "LastName", "Company", "Email", "Phone", "Title", "Website", "Country", "Status",
             "LeadSource", "RecordTypeId", "IsConverted", "ConvertedAccountId", "ConvertedContactId",
             "ConvertedOpportunityId", "ConvertedDate", "PartnerAccountId", "CurrencyIsoCode", HUB_ID_FIELD,
             *_COMMON),
            "sforce_api_objects_lead.htm",
            record_type=True,
        ),
        SObjectStream(
            "channel_program_members", "ChannelProgramMember",
            ("Id", "PartnerId", "ProgramId", "LevelId", *_COMMON),
            "sforce_api_objects_channelprogrammember.htm",
            writable=False,
            enrich=("programs",),
            requires=("ChannelProgramMember", "ChannelProgram", "ChannelProgramLevel"),
        ),
    )
}  # fmt: skip

# Rows folded into other streams' records (see enrich.py), read with flat SOQL only.
OPPORTUNITY_PARTNER_FIELDS = ("Id", "OpportunityId", "AccountToId", "Role", "IsPrimary")
PROGRAM_FIELDS = ("Id", "Name")
LEVEL_FIELDS = ("Id", "Name", "Rank", "ProgramId")

COMPOSITE_LIMIT = 200  # sObject Collections take at most 200 records per call


def by_sobject(name: str) -> SObjectStream | None:
    """The stream reading Salesforce object ``name`` (Lead: deal_registrations), if any."""
    return next((s for s in SOBJECTS.values() if s.sobject == name), None)


QUERY_PATH = "/services/data/v{version}/queryAll"  # the API version is the config's (query.py)
NEXT_RECORDS = NextUrlPaginator(url_path=("nextRecordsUrl",))


def _stream(source: SObjectStream) -> StreamSpec:
    return StreamSpec(
        name=source.stream,
        object=source.stream,
        path=QUERY_PATH,
        primary_key="Id",
        cursor_field=STREAM_CURSORS.get(source.stream, CURSOR_FIELD),
        record_selector=("records",),
        paginator=NEXT_RECORDS,
        supports_incremental=True,
        deletes_by_absence=True,  # queryAll lists every row, recycle bin included: a purged row is absent
        doc_url=source.doc_url,
    )


SPEC = ConnectorSpec(
    kind="salesforce",
    title="Salesforce",
    streams=tuple(_stream(source) for source in SOBJECTS.values()),
    writes=tuple(
        WriteSpec(
            object=source.stream,
            operation="upsert",
            id_property="Id",
            batch_size=COMPOSITE_LIMIT,
            doc_url="https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html",
        )
        for source in SOBJECTS.values()
        if source.writable
    ),
    doc_url="https://developer.salesforce.com/docs/platform/api-rest/guide/intro_rest.html",
)
