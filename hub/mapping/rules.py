"""Rules of a mapping file: how one canonical field is filled from a source record.

``FieldRule`` reads a value at a dotted path and converts it with a ``FieldType``; ``LinkRule`` turns
an association into the canonical id of the referenced record; ``RoleRule`` turns a labelled
association into an opportunity partner role. ``TimestampRule`` and ``DeletedRule`` read the
record's modification time and tombstone flag. In YAML::

    primary_domain: {source: properties.domain, type: domain}
    created_at: {sources: [properties.createdate, createdAt], type: datetime}
    stage_category: {source: properties.dealstage, type: enum, values: {closedwon: won}, default: open}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from hub.canonical import PartnerRole
from hub.mapping.errors import RuleError
from hub.mapping.phones import SUPPORTED_REGIONS, normalize_phone
from hub.mapping.transforms import SCALAR_TRANSFORMS


class FieldType(StrEnum):
    """How a raw value is converted (see ``hub.mapping.transforms``)."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    DOMAIN = "domain"
    EMAIL = "email"
    PHONE = "phone"
    COUNTRY = "country"
    CURRENCY = "currency"
    DIGITS = "digits"
    HUB_ID = "hub_id"
    ENUM = "enum"
    ENUM_LIST = "enum_list"
    STRING_LIST = "string_list"


LIST_TYPES = frozenset({FieldType.ENUM_LIST, FieldType.STRING_LIST})
ENUM_TYPES = frozenset({FieldType.ENUM, FieldType.ENUM_LIST})

SourcePath = Annotated[
    str,
    Field(pattern=r"^[^.\s]+(\.[^.\s]+)*$", description="Dotted path into the raw record, e.g. properties.domain"),
]

_RULE_CONFIG = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class SourceRule(BaseModel):
    """Where a value comes from: one ``source`` path, or ``sources`` where the first non-blank wins."""

    model_config = _RULE_CONFIG

    source: SourcePath | None = Field(default=None, description="Dotted path to the raw value.")
    sources: list[SourcePath] | None = Field(
        default=None, min_length=1, description="Paths tried in order; the first non-blank value wins."
    )
    required: bool = Field(default=False, description="Fail the record when the value is blank.")

    @model_validator(mode="after")
    def _one_source(self) -> SourceRule:
        if (self.source is None) == (self.sources is None):
            raise RuleError((), "give exactly one of 'source' or 'sources'")
        return self

    @property
    def paths(self) -> tuple[str, ...]:
        """The source paths in the order they are tried."""
        return (self.source,) if self.source is not None else tuple(self.sources or ())


class TimestampRule(SourceRule):
    """The source's modification time (read as a datetime); drives ordering and incremental sync."""


class DeletedRule(SourceRule):
    """Whether the record is a tombstone: a boolean source, or a source whose value is in ``equals``."""

    equals: list[str] | None = Field(
        default=None, min_length=1, description="Raw values meaning 'deleted' (case-insensitive)."
    )


class FieldRule(SourceRule):
    """One canonical field filled from the raw record.

    Blank sources give ``default`` (None, or [] for list types). For ``enum``/``enum_list`` the
    ``values`` map goes raw → canonical (matched case-insensitively after trimming); a raw value that
    is already a legal canonical value needs no entry; an unmapped value gives ``default`` if set and
    fails the record otherwise. ``default`` is a canonical value for enums and a raw value otherwise.
    """

    type: FieldType = Field(default=FieldType.STRING, description="Conversion applied to the raw value.")
    values: dict[str, str | list[str]] | None = Field(
        default=None, description="enum/enum_list only: raw value → canonical value (or list of values)."
    )
    default: JsonValue = Field(default=None, description="Used when the source is blank (or unmapped).")
    default_region: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="phone only: region (ISO 3166-1 alpha-2, e.g. US, DE, FR, AU) of numbers written without "
        "a country code.",
    )
    split: str | None = Field(
        default=None, min_length=1, description="enum_list/string_list only: separator (default ';')."
    )
    on_invalid: Literal["fail", "drop"] = Field(
        default="fail",
        description="A value that does not convert: 'fail' dead-letters the record, 'drop' leaves the field "
        "null and keeps the record (map the raw value to a *_raw field so it is not lost).",
    )

    @model_validator(mode="after")
    def _options_fit_type(self) -> FieldRule:
        if self.values is not None and self.type not in ENUM_TYPES:
            raise RuleError(("values",), f"'values' only applies to enum and enum_list, not {self.type}")
        if self.default_region is not None and self.type is not FieldType.PHONE:
            raise RuleError(("default_region",), f"'default_region' only applies to phone, not {self.type}")
        if self.default_region is not None and self.default_region not in SUPPORTED_REGIONS:
            raise RuleError(("default_region",), f"unknown phone region {self.default_region!r}")
        if self.split is not None and self.type not in LIST_TYPES:
            raise RuleError(("split",), f"'split' only applies to enum_list and string_list, not {self.type}")
        if self.type is FieldType.ENUM:
            for raw, canonical in (self.values or {}).items():
                if not isinstance(canonical, str):
                    raise RuleError(("values", raw), "an enum maps to one value; use type enum_list for lists")
        self._check_default()
        return self

    def _check_default(self) -> None:
        default = self.default
        if default is None:
            return
        if self.required:
            raise RuleError(("default",), "a required field has no default: drop one of the two")
        if self.type in LIST_TYPES:
            if not (isinstance(default, list) and all(isinstance(item, str) for item in default)):
                raise RuleError(("default",), f"default of a {self.type} must be a list of strings")
            return
        if self.type is FieldType.ENUM:
            if not isinstance(default, str):
                raise RuleError(("default",), "default of an enum must be a string")
            return
        try:
            if self.type is FieldType.PHONE:
                normalize_phone(default, self.default_region)
            else:
                SCALAR_TRANSFORMS[self.type](default)
        except ValueError as exc:
            raise RuleError(("default",), f"bad default for type {self.type}: {exc}") from None


class LinkRule(BaseModel):
    """A reference to other source records through an association; the field gets canonical id(s).

    ``types`` filters the association labels (any label when omitted); ``many: false`` takes the first
    match, ``many: true`` all of them in order. ``object`` names the referenced source object when it
    differs from the association name.
    """

    model_config = _RULE_CONFIG

    association: str = Field(min_length=1, description="Key under the record's 'associations'.")
    types: list[str] | None = Field(default=None, min_length=1, description="Association labels to follow.")
    many: bool = Field(default=False, description="Collect every match into a list of canonical ids.")
    object: str | None = Field(default=None, description="Referenced source object (default: association).")
    required: bool = Field(default=False, description="Fail the record when nothing is associated.")

    @property
    def target_object(self) -> str:
        """The source object name of the referenced records."""
        return self.object or self.association


class RoleRule(BaseModel):
    """A partner role on an opportunity from a labelled association (e.g. ``sourcing_partner``)."""

    model_config = _RULE_CONFIG

    association: str = Field(min_length=1, description="Key under the record's 'associations'.")
    type: str = Field(min_length=1, description="Association label that carries this role.")
    role: PartnerRole = Field(description="Canonical partner role.")
    is_primary: bool = Field(default=False, description="Mark partners found this way as primary.")
    object: str | None = Field(default=None, description="Referenced source object (default: association).")

    @property
    def target_object(self) -> str:
        """The source object name of the referenced partner records."""
        return self.object or self.association


class WriteRule(BaseModel):
    """Write-back of golden values to this source object (``hub writeback``).

    ``properties`` maps an upstream property to the canonical field whose golden value it receives.
    Records are addressed by ``id_property``, whose value is the source record's own id when ``key``
    is ``$external_id`` (update what the hub read), or a canonical field's value (upsert by a unique
    key). ``current`` is where the upstream's present value of a property sits in the raw record, so
    only values that differ are sent.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id_property: str = Field(min_length=1, description="Upstream property that addresses the record.")
    key: str = Field(default="$external_id", description="$external_id, or a canonical field giving the key.")
    current: str = Field(default="properties.{property}", description="Raw path of a property's current value.")
    properties: dict[str, str] = Field(min_length=1, description="Upstream property -> canonical field.")
    hub_id: str | None = Field(
        default=None,
        max_length=200,
        description="Upstream property that is the system's hub-id slot (unique values): the golden id is "
        "written there, to one record per cluster (ADR 21).",
    )
    hub_id_when_absent: bool = Field(
        default=False,
        description="Stamp the hub id although the raw record lacks the slot (the connector creates the "
        "property on its first write, as HubSpot's does); otherwise only records whose read lists the slot.",
    )
