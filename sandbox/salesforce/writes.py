"""Validated record writes: create, update, delete (with cascades) and external-id lookups.

:func:`prepare` turns a request body into internal values or raises the Salesforce error for the
first problem: unknown field (``INVALID_FIELD``), read-only field
(``INVALID_FIELD_FOR_INSERT_UPDATE``), bad value (``JSON_PARSER_ERROR``, ``MALFORMED_ID``,
``INVALID_EMAIL_ADDRESS``, ``STRING_TOO_LONG``, ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``), bad
reference (``FIELD_INTEGRITY_EXCEPTION`` wrong object, ``ENTITY_IS_DELETED``,
``INVALID_CROSS_REFERENCE_KEY`` unknown id) or missing required fields (``REQUIRED_FIELD_MISSING``).
The apply functions stamp ``CreatedDate``/``LastModifiedDate``/``SystemModstamp`` from the clock,
keep derived fields, mirror Partner ⇄ OpportunityPartner rows (same Id), keep one primary partner
per opportunity, refresh an account's ``ChannelProgramName``/``ChannelProgramLevelName`` from its
ChannelProgramMember, and report changes to the outbound-message service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.salesforce.derive import derive
from sandbox.salesforce.errors import SalesforceError, bad_request
from sandbox.salesforce.ids import normalize_id
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.store import Record
from sandbox.salesforce.values import coerce

if TYPE_CHECKING:
    from sandbox.salesforce.state import SalesforceState

PARTNER_VIEWS = ("Partner", "OpportunityPartner")
LEAD_DEFAULT_STATUS = "Open - Not Contacted"


def unsupported(obj: ObjectDef, operation: str) -> SalesforceError:
    """The error for an operation the object does not allow (e.g. updating a Partner)."""
    return bad_request("INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support {operation}")


def prepare(state: SalesforceState, obj: ObjectDef, body: Any, creating: bool) -> dict[str, Any]:
    """Validate a create/update body; returns canonical field name → internal value."""
    if not isinstance(body, dict):
        raise bad_request("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object value")
    clean: dict[str, Any] = {}
    locked: list[str] = []
    for key, value in body.items():
        if key == "attributes":
            continue
        fd = obj.field(key)
        if fd is None:
            raise bad_request("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}", [key])
        if fd.name == "Id":
            if creating:
                raise bad_request("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            continue
        if not (fd.createable if creating else fd.updateable):
            locked.append(fd.name)
            continue
        clean[fd.name] = coerce(fd, value)
    if locked:
        raise bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(locked)}. Please check the security settings of this field "
            "and verify that it is read/write for your profile or permission set.",
            locked,
        )
    for name, value in clean.items():
        fd = obj.fields[name]
        if fd.type == "reference" and value is not None:
            _check_reference(state, fd.label, name, value, fd.reference_to)
    missing = [
        f.name
        for f in obj.fields.values()
        if f.required
        and (clean.get(f.name) is None if creating or f.name in clean else False)
        and not (creating and _has_default(obj.name, f.name))
    ]
    if missing:
        raise bad_request("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)
    return clean


def _has_default(object_name: str, field_name: str) -> bool:
    return (object_name, field_name) in (("Lead", "Status"),)


def _check_reference(state: SalesforceState, label: str, name: str, value: str, targets: tuple[str, ...]) -> None:
    found = state.store.find(value)
    if value[:3] not in {state.store.objects[t].prefix for t in targets}:
        raise bad_request("FIELD_INTEGRITY_EXCEPTION", f"{label} ID: id value of incorrect type: {value}", [name])
    if found is None or found[0] not in targets:
        raise bad_request("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {value}", [name])
    if found[1]["IsDeleted"]:
        raise bad_request("ENTITY_IS_DELETED", "entity is deleted", [name])


def create(state: SalesforceState, obj: ObjectDef, clean: dict[str, Any], mirror: bool = True) -> Record:
    """Insert a record from prepared values."""
    store, now, user = state.store, state.clock.now_ms(), state.config.user_id
    record = store.blank(obj.name)
    if "OwnerId" in obj.fields:
        record["OwnerId"] = user
    if obj.name == "Lead":
        record["Status"] = LEAD_DEFAULT_STATUS
        record["RecordTypeId"] = state.default_record_type("Lead")
    record.update(clean)
    record["Id"] = clean.get("Id") or store.new_id(obj.name)
    if obj.name == "Partner" and record["OpportunityId"] and not record["AccountFromId"]:
        opportunity = store.tables["Opportunity"].get(record["OpportunityId"])
        record["AccountFromId"] = opportunity["AccountId"] if opportunity else None
    record.update(CreatedDate=now, LastModifiedDate=now, SystemModstamp=now, CreatedById=user, LastModifiedById=user)
    derive(obj.name, record, set(clean), creating=True)
    store.tables[obj.name].rows[record["Id"]] = record
    state.data_version += 1
    if obj.name in PARTNER_VIEWS:
        _after_partner(state, obj.name, record, mirror, created=True)
    if obj.name == "ChannelProgramMember":
        refresh_program_fields(state, record["PartnerId"])
    state.outbound.notify(obj.name, record)
    return record


def update(state: SalesforceState, obj: ObjectDef, record: Record, clean: dict[str, Any], mirror: bool = True) -> None:
    """Apply prepared values to a live record."""
    now = state.clock.now_ms()
    state.data_version += 1
    record.update(clean)
    record.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=state.config.user_id)
    derive(obj.name, record, set(clean), creating=False)
    if obj.name in PARTNER_VIEWS:
        _after_partner(state, obj.name, record, mirror, created=False, changes=clean)
    if obj.name == "ChannelProgramMember":
        refresh_program_fields(state, record["PartnerId"])
    state.outbound.notify(obj.name, record)


def _after_partner(
    state: SalesforceState,
    name: str,
    record: Record,
    mirror: bool,
    created: bool,
    changes: dict[str, Any] | None = None,
) -> None:
    other_name = "OpportunityPartner" if name == "Partner" else "Partner"
    opp_id = record["OpportunityId"]
    if mirror and opp_id:
        other_obj = state.store.objects[other_name]
        other = state.store.tables[other_name].get(record["Id"])
        values: dict[str, Any] = {
            k: record[k] for k in ("OpportunityId", "AccountToId", "Role", "IsPrimary") if k in other_obj.fields
        }
        if created or other is None:
            if other_name == "Partner":
                opp = state.store.tables["Opportunity"].get(opp_id)
                values["AccountFromId"] = opp["AccountId"] if opp else None
            create(state, other_obj, {**values, "Id": record["Id"]}, mirror=False)
        else:
            update(state, other_obj, other, {k: values[k] for k in changes or {} if k in values}, mirror=False)
    if record["IsPrimary"] and opp_id:
        now = state.clock.now_ms()
        for table_name in PARTNER_VIEWS:
            for row in state.store.tables[table_name].live():
                if row["OpportunityId"] == opp_id and row["IsPrimary"] and row["Id"] != record["Id"]:
                    row["IsPrimary"] = False
                    row["SystemModstamp"] = now


def refresh_program_fields(state: SalesforceState, account_id: str | None) -> None:
    """Set an account's ChannelProgramName/LevelName from its (first live) membership."""
    account = state.store.tables["Account"].get_live(account_id) if account_id else None
    if account is None:
        return
    member = next((m for m in state.store.tables["ChannelProgramMember"].live() if m["PartnerId"] == account_id), None)
    program = state.store.tables["ChannelProgram"].get(member["ProgramId"]) if member else None
    level = state.store.tables["ChannelProgramLevel"].get(member["LevelId"]) if member and member["LevelId"] else None
    names = (program["Name"] if program else None, level["Name"] if level else None)
    if (account["ChannelProgramName"], account["ChannelProgramLevelName"]) != names:
        account["ChannelProgramName"], account["ChannelProgramLevelName"] = names
        account["SystemModstamp"] = state.clock.now_ms()


CASCADES: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (
        ("Contact", "AccountId"),
        ("Opportunity", "AccountId"),
        ("ChannelProgramMember", "PartnerId"),
        ("Partner", "AccountToId"),
        ("Partner", "AccountFromId"),
        ("OpportunityPartner", "AccountToId"),
    ),
    "Opportunity": (("Partner", "OpportunityId"), ("OpportunityPartner", "OpportunityId")),
    "Partner": (("OpportunityPartner", "Id"),),
    "OpportunityPartner": (("Partner", "Id"),),
}


def delete(state: SalesforceState, obj: ObjectDef, record: Record) -> list[str]:
    """Move a record and its dependants to the recycle bin; returns the ids deleted."""
    now = state.clock.now_ms()
    state.data_version += 1
    deleted: list[str] = []
    pending = [(obj.name, record)]
    while pending:
        name, row = pending.pop()
        if row["IsDeleted"]:
            continue
        row["IsDeleted"] = True
        row["SystemModstamp"] = now
        state.store.tables[name].deleted_ms[row["Id"]] = now
        deleted.append(row["Id"])
        for child, key in CASCADES.get(name, ()):
            table = state.store.tables[child]
            if key == "Id":
                twin = table.get_live(row["Id"])
                pending.extend([(child, twin)] if twin else [])
            else:
                pending.extend((child, r) for r in table.live() if r[key] == row["Id"])
        if name == "ChannelProgramMember":
            refresh_program_fields(state, row["PartnerId"])
    return deleted


def find_external(state: SalesforceState, obj: ObjectDef, field_name: str, value: str) -> list[Record]:
    """Live records whose external-id field (or ``Id``) equals ``value`` (text compared case-insensitively)."""
    if field_name == "Id":
        record_id = normalize_id(value)
        found = state.store.tables[obj.name].get_live(record_id) if record_id else None
        return [found] if found else []
    wanted = value.lower()
    return [
        r for r in state.store.tables[obj.name].live() if (v := r[field_name]) is not None and str(v).lower() == wanted
    ]


def external_field(obj: ObjectDef, name: str) -> str:
    """The canonical external-id field for an upsert/lookup path segment, or 404."""
    fd = obj.field(name)
    if fd is not None and (fd.external_id or fd.name == "Id"):
        return fd.name
    raise SalesforceError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {name}")
