"""Field and object definitions of the simulated org (the subset of describe that matters here).

Field types (Salesforce describe names): ``id``, ``reference``, ``string``, ``picklist``,
``boolean``, ``int``, ``double``, ``currency``, ``percent``, ``date``, ``datetime``, ``email``,
``phone``, ``url``, ``textarea``.  Names are matched case-insensitively, as Salesforce does; the
canonical spelling is used in every response.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT_TYPES = frozenset({"id", "reference", "string", "picklist", "email", "phone", "url", "textarea"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
SYSTEM_FIELDS = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
                 "SystemModstamp")  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field.  ``required`` = must be given on create (not nillable, no default)."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    required: bool = False
    external_id: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False

    @property
    def is_text(self) -> bool:
        """Compared and sorted case-insensitively in SOQL."""
        return self.type in TEXT_TYPES and self.type not in ("id", "reference")


@dataclass(slots=True)
class ObjectDef:
    """One sObject type."""

    name: str
    prefix: str
    label: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    hidden: frozenset[str] = frozenset()  # fields the org's features leave out (see features.py)
    _lower: dict[str, FieldDef] = field(default_factory=dict)
    _relationships: dict[str, FieldDef] = field(default_factory=dict)

    def add(self, *defs: FieldDef) -> None:
        """Register fields (and their relationship names)."""
        for fd in defs:
            self.fields[fd.name] = fd
            self._lower[fd.name.lower()] = fd
            if fd.relationship:
                self._relationships[fd.relationship.lower()] = fd

    def field(self, name: str) -> FieldDef | None:
        """A field by name, case-insensitively (``None`` for a hidden one: the org lacks it)."""
        fd = self._lower.get(name.lower())
        return None if fd is None or fd.name in self.hidden else fd

    def relationship(self, name: str) -> FieldDef | None:
        """The reference field whose relationship name is ``name`` (``Account`` → ``AccountId``)."""
        fd = self._relationships.get(name.lower())
        return None if fd is None or fd.name in self.hidden else fd

    def visible(self) -> list[FieldDef]:
        """The fields the org has (describe lists these), in definition order."""
        return [fd for fd in self.fields.values() if fd.name not in self.hidden]

    def external_ids(self) -> list[str]:
        """Names of the external-id fields."""
        return [f.name for f in self.fields.values() if f.external_id]


def F(
    name: str,
    type_: str = "string",
    length: int = 255,
    *,
    req: bool = False,
    ro: bool = False,
    create_only: bool = False,
    ext: bool = False,
    ref: tuple[str, ...] = (),
    rel: str | None = None,
    pick: tuple[str, ...] = (),
    restricted: bool = False,
    nillable: bool = True,
    label: str = "",
) -> FieldDef:
    """Build a :class:`FieldDef`; ``ro`` = read-only, ``create_only`` = not updateable."""
    if type_ not in ("string", "textarea", "picklist", "email", "phone", "url"):
        length = 18 if type_ in ("id", "reference") else 0
    if type_ == "reference" and rel is None and name.endswith("Id"):
        rel = name[:-2]
    return FieldDef(
        name=name,
        type=type_,
        label=label or _label(name),
        length=length,
        createable=not ro,
        updateable=not ro and not create_only,
        nillable=nillable and not req and type_ != "boolean",
        required=req,
        external_id=ext,
        reference_to=ref,
        relationship=rel,
        picklist=pick,
        restricted=restricted,
    )


def _label(name: str) -> str:
    base = name.removesuffix("__c").removesuffix("Id") if name != "Id" else "Record ID"
    words: list[str] = []
    for part in base.split("_"):
        current = ""
        for char in part:
            if char.isupper() and current and not current[-1].isupper():
                words.append(current)
                current = char
            else:
                current += char
        if current:
            words.append(current)
    return " ".join(words) or name


def system_fields() -> list[FieldDef]:
    """Fields every object has."""
    return [
        F("Id", "id", ro=True, nillable=False, label="Record ID"),
        F("IsDeleted", "boolean", ro=True, label="Deleted"),
        F("CreatedDate", "datetime", ro=True, nillable=False),
        F("CreatedById", "reference", ro=True, ref=("User",), rel="CreatedBy"),
        F("LastModifiedDate", "datetime", ro=True, nillable=False),
        F("LastModifiedById", "reference", ro=True, ref=("User",), rel="LastModifiedBy"),
        F("SystemModstamp", "datetime", ro=True, nillable=False, label="System Modstamp"),
    ]
