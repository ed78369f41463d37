"""The sObject types of the simulated org, their fields, picklists and key prefixes."""

from __future__ import annotations

from sandbox.salesforce.schema import F, FieldDef, ObjectDef, system_fields

ACCOUNT_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
                 "Installation Partner", "Technology Partner", "Partner", "Other")  # fmt: skip
INDUSTRIES = ("Technology", "Finance", "Healthcare", "Manufacturing", "Retail", "Education", "Media",
              "Telecommunications", "Energy", "Consulting", "Government", "Transportation")  # fmt: skip
SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Partner", "Other")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
# stage, default probability, forecast category, closed, won
STAGES: tuple[tuple[str, float, str, bool, bool], ...] = (
    ("Prospecting", 10.0, "Pipeline", False, False),
    ("Qualification", 10.0, "Pipeline", False, False),
    ("Needs Analysis", 20.0, "Pipeline", False, False),
    ("Value Proposition", 50.0, "Pipeline", False, False),
    ("Id. Decision Makers", 60.0, "Pipeline", False, False),
    ("Perception Analysis", 70.0, "Pipeline", False, False),
    ("Proposal/Price Quote", 75.0, "Pipeline", False, False),
    ("Negotiation/Review", 90.0, "Commit", False, False),
    ("Closed Won", 100.0, "Closed", True, True),
    ("Closed Lost", 0.0, "Omitted", True, False),
)
STAGE_NAMES = tuple(s[0] for s in STAGES)
FORECAST = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted")
REGISTRATION_STATUSES = ("Draft", "Submitted", "In Review", "Approved", "Rejected", "Expired", "Converted")
PARTNER_ROLES = ("System Integrator", "Agency", "Advertiser", "VAR/Reseller", "Distributor", "Developer",
                 "Broker", "Lender", "Supplier", "Institution", "Contractor", "Dealer", "Consultant")  # fmt: skip
OPP_TYPES = ("New Business", "Existing Business", "Renewal")

REF_ACCOUNT = ("Account",)
REF_USER = ("User",)


def _owner() -> FieldDef:
    return F("OwnerId", "reference", ref=REF_USER, rel="Owner")


def build_objects() -> dict[str, ObjectDef]:
    """Fresh definitions of every sObject type, by API name."""
    objs: dict[str, ObjectDef] = {}

    def obj(
        name: str, prefix: str, label: str, createable: bool = True, updateable: bool = True, deletable: bool = True
    ) -> ObjectDef:
        definition = ObjectDef(name, prefix, label, createable=createable, updateable=updateable, deletable=deletable)
        definition.add(*system_fields())
        objs[name] = definition
        return definition

    obj("User", "005", "User", createable=False, updateable=False, deletable=False).add(
        F("Username", req=True), F("FirstName", length=40), F("LastName", length=80, req=True),
        F("Name", ro=True, label="Full Name"), F("Email", "email", req=True), F("IsActive", "boolean"),
        F("Title", length=80), F("UserType", "picklist", pick=("Standard", "PowerPartner"), ro=True),
    )  # fmt: skip
    obj("RecordType", "012", "Record Type", createable=False, updateable=False, deletable=False).add(
        F("Name", length=80, req=True), F("DeveloperName", length=80, req=True),
        F("SobjectType", "picklist", length=40, req=True), F("IsActive", "boolean"), F("Description"),
    )  # fmt: skip
    obj("Account", "001", "Account").add(
        F("Name", req=True), F("Type", "picklist", pick=ACCOUNT_TYPES, label="Account Type"),
        F("ParentId", "reference", ref=REF_ACCOUNT, rel="Parent"),
        F("Industry", "picklist", pick=INDUSTRIES), F("Website", "url"), F("Phone", "phone", length=40),
        F("BillingStreet", "textarea"), F("BillingCity", length=40), F("BillingState", length=80),
        F("BillingPostalCode", length=20), F("BillingCountry", length=80),
        F("NumberOfEmployees", "int", label="Employees"), F("AnnualRevenue", "currency"),
        F("AccountSource", "picklist", pick=SOURCES), F("Description", "textarea", length=32000),
        F("IsPartner", "boolean", label="Partner Account"),
        F("ChannelProgramName", ro=True), F("ChannelProgramLevelName", ro=True),
        F("CurrencyIsoCode", "picklist", length=3, pick=CURRENCIES, restricted=True, label="Account Currency"),
        F("DUNS__c", length=9, ext=True, label="D-U-N-S Number"),
        F("Partner_Hub_Id__c", length=64, ext=True, label="Partner Hub ID"), _owner(),
    )  # fmt: skip
    obj("Contact", "003", "Contact").add(
        F("AccountId", "reference", ref=REF_ACCOUNT), F("FirstName", length=40), F("LastName", length=80, req=True),
        F("Name", ro=True, label="Full Name"), F("Email", "email", length=80), F("Phone", "phone", length=40),
        F("MobilePhone", "phone", length=40), F("Title", length=128), F("Department", length=80),
        F("LeadSource", "picklist", pick=SOURCES), F("MailingCity", length=40), F("MailingCountry", length=80),
        F("Partner_Hub_Id__c", length=64, ext=True, label="Partner Hub ID"), _owner(),
    )  # fmt: skip
    obj("Opportunity", "006", "Opportunity").add(
        F("AccountId", "reference", ref=REF_ACCOUNT), F("Name", length=120, req=True),
        F("StageName", "picklist", length=40, req=True, pick=STAGE_NAMES, restricted=True, label="Stage"),
        F("Amount", "currency"), F("CurrencyIsoCode", "picklist", length=3, pick=CURRENCIES, restricted=True),
        F("CloseDate", "date", req=True), F("Probability", "percent", label="Probability (%)"),
        F("ForecastCategoryName", "picklist", length=40, pick=FORECAST), F("IsClosed", "boolean", ro=True),
        F("IsWon", "boolean", ro=True), F("Type", "picklist", length=40, pick=OPP_TYPES),
        F("LeadSource", "picklist", pick=SOURCES), F("NextStep", "string", length=255),
        F("Description", "textarea", length=32000),
        F("PartnerAccountId", "reference", ref=REF_ACCOUNT, rel="PartnerAccount"),
        F("RecordTypeId", "reference", ref=("RecordType",)),
        F("Partner_Hub_Id__c", length=64, ext=True, label="Partner Hub ID"), _owner(),
    )  # fmt: skip
    obj("Lead", "00Q", "Lead").add(
        F("FirstName", length=40), F("LastName", length=80, req=True), F("Name", ro=True, label="Full Name"),
        F("Company", req=True), F("Email", "email", length=80), F("Phone", "phone", length=40),
        F("Title", length=128), F("Status", "picklist", length=40, pick=LEAD_STATUSES, label="Lead Status"),
        F("LeadSource", "picklist", pick=SOURCES), F("Industry", "picklist", pick=INDUSTRIES),
        F("Website", "url"), F("Country", length=80), F("NumberOfEmployees", "int"),
        F("Description", "textarea", length=32000), F("RecordTypeId", "reference", ref=("RecordType",)),
        F("PartnerAccountId", "reference", ref=REF_ACCOUNT, rel="PartnerAccount"),
        F("Registration_Status__c", "picklist", pick=REGISTRATION_STATUSES, label="Registration Status"),
        F("Est_Amount__c", "currency", label="Estimated Amount"),
        F("Expected_Close_Date__c", "date", label="Expected Close Date"),
        F("CurrencyIsoCode", "picklist", length=3, pick=CURRENCIES, restricted=True),
        F("IsConverted", "boolean", ro=True, label="Converted"), F("ConvertedDate", "date", ro=True),
        F("ConvertedAccountId", "reference", ro=True, ref=REF_ACCOUNT),
        F("ConvertedContactId", "reference", ro=True, ref=("Contact",)),
        F("ConvertedOpportunityId", "reference", ro=True, ref=("Opportunity",)),
        F("Partner_Hub_Id__c", length=64, ext=True, label="Partner Hub ID"), _owner(),
    )  # fmt: skip
    partner_fields = (
        F("OpportunityId", "reference", ref=("Opportunity",), create_only=True),
        F("AccountToId", "reference", ref=REF_ACCOUNT, req=True, create_only=True, rel="AccountTo"),
        F("Role", "picklist", length=40, pick=PARTNER_ROLES),
        F("IsPrimary", "boolean", label="Primary"),
        F("ReversePartnerId", "reference", ro=True, ref=("Partner",), rel=None),
    )
    obj("Partner", "00I", "Partner", updateable=False).add(
        F("AccountFromId", "reference", ref=REF_ACCOUNT, create_only=True, rel="AccountFrom"), *partner_fields
    )
    obj("OpportunityPartner", "00I", "Opportunity Partner").add(*partner_fields)
    obj("ChannelProgram", "0Hp", "Channel Program").add(
        F("Name", length=80, req=True), F("Category", "picklist", pick=("Reseller", "Referral", "Technology")),
        F("IsActive", "boolean", label="Active"), F("Description", "textarea", length=1000),
    )  # fmt: skip
    obj("ChannelProgramLevel", "0Hl", "Channel Program Level").add(
        F("Name", length=80, req=True),
        F("ProgramId", "reference", ref=("ChannelProgram",), req=True, create_only=True, rel="Program"),
        F("Rank", "int"), F("BenefitsInformation", "textarea", length=1000, label="Benefits"),
    )  # fmt: skip
    obj("ChannelProgramMember", "0Hm", "Channel Program Member").add(
        F("PartnerId", "reference", ref=REF_ACCOUNT, req=True, create_only=True, rel="Partner"),
        F("ProgramId", "reference", ref=("ChannelProgram",), req=True, create_only=True, rel="Program"),
        F("LevelId", "reference", ref=("ChannelProgramLevel",), rel="Level"),
    )  # fmt: skip
    return objs


OBJECT_NAMES = tuple(build_objects())


def stage_info(stage: str) -> tuple[float, str, bool, bool] | None:
    """``(probability, forecast category, closed, won)`` for an opportunity stage (any case)."""
    lowered = stage.lower()
    for name, prob, forecast, closed, won in STAGES:
        if name.lower() == lowered:
            return prob, forecast, closed, won
    return None
