"""``describeGlobal``, sObject basic info and ``describe`` bodies (the commonly used keys only)."""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.schema import FieldDef, ObjectDef
from sandbox.salesforce.store import Store

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


def _urls(obj: ObjectDef, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def object_summary(obj: ObjectDef, version: str) -> dict[str, Any]:
    """One entry of ``describeGlobal`` (also the ``objectDescribe`` of basic info)."""
    return {
        "name": obj.name,
        "label": obj.label,
        "labelPlural": f"{obj.label}s",
        "keyPrefix": obj.prefix,
        "custom": False,
        "createable": obj.createable,
        "updateable": obj.updateable,
        "deletable": obj.deletable,
        "queryable": True,
        "retrieveable": True,
        "replicateable": True,
        "searchable": True,
        "urls": _urls(obj, version),
    }


def describe_global(store: Store, version: str) -> dict[str, Any]:
    """``GET /sobjects``."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [object_summary(o, version) for o in store.visible_objects()],
    }


def basic_info(store: Store, obj: ObjectDef, version: str) -> dict[str, Any]:
    """``GET /sobjects/{Object}``: summary and the most recently modified records."""
    rows = sorted(store.tables[obj.name].live(), key=lambda r: r["SystemModstamp"], reverse=True)[:10]
    recent = [
        {
            "attributes": {"type": obj.name, "url": f"/services/data/v{version}/sobjects/{obj.name}/{r['Id']}"},
            "Id": r["Id"],
            **({"Name": r["Name"]} if "Name" in r else {}),
        }
        for r in rows
    ]
    return {"objectDescribe": object_summary(obj, version), "recentItems": recent}


def field_describe(fd: FieldDef) -> dict[str, Any]:
    """One ``fields[]`` entry of ``describe``."""
    return {
        "name": fd.name,
        "label": fd.label,
        "type": fd.type,
        "soapType": SOAP_TYPES.get(fd.type, "xsd:string"),
        "length": fd.length,
        "nillable": fd.nillable,
        "createable": fd.createable,
        "updateable": fd.updateable,
        "defaultedOnCreate": fd.type == "boolean" or fd.name in ("OwnerId", "Id"),
        "externalId": fd.external_id,
        "idLookup": fd.external_id or fd.name == "Id" or fd.type == "email",
        "unique": False,
        "custom": fd.name.endswith("__c"),
        "calculated": False,
        "filterable": True,
        "sortable": True,
        "referenceTo": list(fd.reference_to),
        "relationshipName": fd.relationship if fd.reference_to else None,
        "picklistValues": [
            {"active": True, "defaultValue": False, "label": v, "value": v, "validFor": None} for v in fd.picklist
        ],
        "restrictedPicklist": fd.restricted,
    }


def describe(obj: ObjectDef, version: str) -> dict[str, Any]:
    """``GET /sobjects/{Object}/describe``."""
    return {
        **object_summary(obj, version),
        "fields": [field_describe(f) for f in obj.visible()],
        "childRelationships": [],
        "recordTypeInfos": [],
    }
