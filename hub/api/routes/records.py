"""Golden records of every canonical entity: list, detail (provenance, source records) and history.

One registry row per entity type (:data:`REGISTRY`) makes its three endpoints, typed by the
entity's canonical model::

    GET /api/v1/{path}                 filtered, paginated golden records
    GET /api/v1/{path}/{id}            one golden record; a merged-away record id answers its cluster;
                                       ?as_of=T: as it was at T (ADR 19)
    GET /api/v1/{path}/{id}/history    ledger entries of the members and the decisions that moved them

An entity added to ``CANONICAL_MODELS`` needs one row here (its plural path and its filters).
Responses carry the stored fields only (``response_model_exclude_unset``): a canonical field a record
has no value for is absent, as in the ledger, rather than null.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from hub.api.deps import MAX_OFFSET, Admin, HubDep
from hub.api.errors import ApiError
from hub.api.schemas import error_responses, record_models
from hub.canonical import (
    CANONICAL_MODELS,
    DealRegistrationStatus,
    EntityType,
    OrganizationRole,
    PartnerStatus,
    StageCategory,
    TransactionKind,
)
from hub.context import Hub
from hub.records import ListFilters, NotAtThatTime, golden_detail, golden_detail_as_of, golden_history, list_golden

IdPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$", description="a golden or a record id")
]
#: ids, system and instance names as the hub stores them
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
#: free text without control characters (PostgreSQL refuses NUL in strings)
_TEXT = r"^[^\x00-\x1f]*$"


@dataclass(frozen=True)
class Filter:
    """A list filter.

    ``kind``: ``field`` (a scalar canonical field equals the value), ``reference`` (a reference field
    names the cluster of the given golden or record id), ``role`` (organization roles).
    ``type``: the parameter's type (an enum makes a bad value a 422).
    """

    name: str
    kind: Literal["field", "reference", "role"]
    type: Any = str
    description: str = ""


@dataclass(frozen=True)
class EntityRoute:
    entity: EntityType
    path: str  # plural, as in the URL
    filters: tuple[Filter, ...] = ()
    summary: str = ""

    @property
    def label(self) -> str:
        return self.entity.value.replace("_", " ")


def _ref(name: str, what: str) -> Filter:
    return Filter(name, "reference", str, f"{what}: a golden id (or any record id of that cluster)")


REGISTRY: tuple[EntityRoute, ...] = (
    EntityRoute(
        EntityType.ORGANIZATION,
        "organizations",
        (Filter("role", "role", OrganizationRole, "organizations holding this role, e.g. partner"),),
        "companies: partners, customers, or both",
    ),
    EntityRoute(EntityType.PERSON, "people", (_ref("organization_id", "people of this organization"),), "people"),
    EntityRoute(
        EntityType.OPPORTUNITY,
        "opportunities",
        (
            Filter("stage_category", "field", StageCategory, "open, won or lost"),
            _ref("customer_org_id", "deals of this customer"),
        ),
        "deals, with partner roles",
    ),
    EntityRoute(
        EntityType.DEAL_REGISTRATION,
        "deal-registrations",
        (
            Filter("status", "field", DealRegistrationStatus, "the canonical registration status"),
            _ref("partner_org_id", "registrations of this partner"),
            _ref("customer_org_id", "registrations for this customer"),
        ),
        "partners' registrations of deals",
    ),
    EntityRoute(
        EntityType.PARTNER_ENROLLMENT,
        "partner-enrollments",
        (
            Filter("status", "field", PartnerStatus, "the enrollment's status"),
            Filter("program", "field", str, "the program's name"),
            _ref("partner_org_id", "enrollments of this partner"),
        ),
        "partners' memberships of programs at a tier",
    ),
    EntityRoute(
        EntityType.PARTNER_TRANSACTION,
        "partner-transactions",
        (
            Filter("kind", "field", TransactionKind, "transaction or reward"),
            _ref("partner_org_id", "money attributed to this partner"),
            _ref("customer_org_id", "transactions of this customer"),
        ),
        "money attributed to partners: transactions and rewards",
    ),
)

_missing = set(CANONICAL_MODELS) - {route.entity for route in REGISTRY}
if _missing:  # pragma: no cover - a new canonical entity without endpoints fails at import
    raise RuntimeError(f"hub/api/routes/records.py: no registry row for {sorted(_missing)}")


def _param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def _filter_param(spec: Filter) -> inspect.Parameter:
    if spec.kind == "reference":
        annotation: Any = Annotated[
            str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$", description=spec.description)
        ]
    elif spec.type is str:
        annotation = Annotated[str | None, Query(max_length=200, pattern=_TEXT, description=spec.description)]
    else:
        annotation = Annotated[spec.type | None, Query(description=spec.description)]
    return _param(spec.name, annotation, None)


_COMMON = [
    _param("q", Annotated[str | None, Query(max_length=200, pattern=_TEXT, description="name or key contains")], None),
    _param(
        "source_system",
        Annotated[str | None, Query(max_length=64, pattern=_NAME, description="a live record from this system")],
        None,
    ),
    _param(
        "source_instance",
        Annotated[str | None, Query(max_length=64, pattern=_NAME, description="a live record from this connector")],
        None,
    ),
    _param("limit", Annotated[int, Query(ge=1, le=500)], 50),
    _param("offset", Annotated[int, Query(ge=0, le=MAX_OFFSET)], 0),
]


AsOf = Annotated[
    datetime | None,
    Query(
        description="ISO 8601 date-time with a time zone (Z or an offset): the record as it was then",
        examples=["2026-12-01T09:30:00Z"],
    ),
]


def _moment(value: datetime) -> datetime:
    """``as_of`` in UTC; naive is a 422 (an audit question needs an unambiguous moment); future is now."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ApiError(422, "as_of needs a time zone (Z or an offset such as +01:00)", {"as_of": value.isoformat()})
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(422, "as_of is out of range", {"as_of": value.isoformat()}) from None
    return min(moment, datetime.now(UTC))


def _with_signature(function: Callable[..., Any], parameters: list[inspect.Parameter]) -> Callable[..., Any]:
    hub = inspect.Parameter("hub", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HubDep)
    function.__signature__ = inspect.Signature([hub, *parameters])  # type: ignore[attr-defined]
    return function


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _filters(route: EntityRoute, params: dict[str, Any]) -> ListFilters:
    by_kind: dict[str, list[tuple[str, str]]] = {"field": [], "reference": [], "role": []}
    for spec in route.filters:
        value = params.get(spec.name)
        if value is not None:
            by_kind[spec.kind].append((spec.name, str(_value(value))))
    return ListFilters(
        role=by_kind["role"][0][1] if by_kind["role"] else None,
        q=params.get("q"),
        source_system=params.get("source_system"),
        source_instance=params.get("source_instance"),
        fields=tuple(by_kind["field"]),
        references=tuple(by_kind["reference"]),
    )


def _add_routes(router: APIRouter, route: EntityRoute) -> None:
    models = record_models(route.entity)
    entity = route.entity.value
    label = route.label

    def list_records(hub: Hub, **params: Any) -> dict[str, Any]:
        limit, offset = params["limit"], params["offset"]
        with hub.reader.connect() as conn:
            total, items = list_golden(conn, entity, _filters(route, params), limit=limit, offset=offset)
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    def detail(hub: Hub, *, record_id: str, as_of: datetime | None = None) -> dict[str, Any]:
        if as_of is None:
            with hub.reader.connect() as conn:
                found = golden_detail(conn, entity, record_id)
        else:
            moment = _moment(as_of)
            try:
                with hub.reader.connect() as conn:
                    found = golden_detail_as_of(conn, entity, record_id, moment)
            except NotAtThatTime as exc:
                details = {"as_of": moment.isoformat(), "reason": exc.reason}
                raise ApiError(404, f"no {label} {record_id} at {moment.isoformat()}: {exc.message}", details) from None
        if found is None:
            raise ApiError(404, f"no {label} {record_id}")
        return found

    def history(hub: Hub, *, record_id: str, **params: Any) -> dict[str, Any]:
        with hub.reader.connect() as conn:
            found = golden_history(conn, entity, record_id, **params)
        if found is None:
            raise ApiError(404, f"no {label} {record_id}")
        return found

    filters = [_filter_param(spec) for spec in route.filters]
    id_param = inspect.Parameter("record_id", inspect.Parameter.KEYWORD_ONLY, annotation=IdPath)
    as_of_param = _param("as_of", AsOf, None)
    page_params = [
        _param("limit", Annotated[int, Query(ge=1, le=500)], 50),
        _param("offset", Annotated[int, Query(ge=0, le=MAX_OFFSET)], 0),
        _param(
            "kind",
            Annotated[
                Literal["record", "decision"] | None,
                Query(description="only the members' entries (record) or only the hub's decisions (decision)"),
            ],
            None,
        ),
    ]
    tag: list[str | Enum] = ["records"]
    router.add_api_route(
        f"/{route.path}",
        _with_signature(list_records, [*filters, *_COMMON]),
        methods=["GET"],
        response_model=models.page,
        response_model_exclude_unset=True,
        responses=error_responses(401, 422),
        name=f"list_{entity}",
        summary=f"List {route.path}",
        description=f"Golden {label} records ({route.summary}), ordered by name; references are golden ids.",
        tags=tag,
    )
    router.add_api_route(
        f"/{route.path}/{{record_id}}",
        _with_signature(detail, [id_param, as_of_param]),
        methods=["GET"],
        response_model=models.detail,
        response_model_exclude_unset=True,
        responses=error_responses(401, 404, 422),
        name=f"get_{entity}",
        summary=f"One {label}",
        description=(
            f"One golden {label}: fields (references as golden ids), each field's provenance, every source "
            "record behind it, the latest history. A record id merged into another cluster answers that "
            "cluster (`merged`: true, `requested_id`, `golden_id`). With `as_of` (ISO 8601 with a time "
            "zone), the record as it was then: the cluster's members then (merges and unmerges replayed), "
            "their fields then, survivorship over them, the history up to then; a later time than now is now. "
            "An id that then belonged to another cluster answers that cluster; before it was first observed, "
            "or with every source deleted by then, a 404 says so (`details.reason`: not_yet | deleted)."
        ),
        tags=tag,
    )
    router.add_api_route(
        f"/{route.path}/{{record_id}}/history",
        _with_signature(history, [id_param, *page_params]),
        methods=["GET"],
        response_model=models.history,
        response_model_exclude_unset=True,
        responses=error_responses(401, 404, 422),
        name=f"history_{entity}",
        summary=f"History of one {label}",
        description=(
            "Ledger entries of every member record, and the hub's decisions that moved records into or out "
            "of this cluster, newest first."
        ),
        tags=tag,
    )


def build_router(registry: tuple[EntityRoute, ...] = REGISTRY) -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Admin])
    for route in registry:
        _add_routes(router, route)
    return router


router = build_router()
