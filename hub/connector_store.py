"""Configured connectors: validated against each kind's config model, credentials sealed at rest.

Credentials are the config model's ``SecretStr`` fields. They arrive only under ``credentials``,
are stored Fernet-encrypted, are never returned (``credentials_set`` lists which are present), and
never reach a log line.
"""

from __future__ import annotations

import functools
import typing
from datetime import UTC, datetime
from typing import Any, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from sqlalchemy import Engine, delete, insert, select, update

from connectors.sdk import Connector, OutboundPolicy
from connectors.sdk.outbound import POLICY_CONTEXT_KEY
from hub.crypto import SecretBox
from hub.db import reader
from hub.db.schema import connectors as connectors_table
from hub.db.schema import stream_leases, stream_seen, stream_state
from hub.registry import ConnectorRegistry


class ConnectorConfigError(ValueError):
    """The submitted configuration is invalid; ``errors`` lists what, field by field."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class NotFound(KeyError):
    pass


class Conflict(ValueError):
    pass


#: The longest schedule interval: a year. Longer ones overflow the scheduler's date arithmetic.
MAX_INTERVAL_SECONDS = 366 * 86_400
#: How far ahead a cron expression must fire at least once (a leap day on a given weekday recurs
#: every 28 years); one that does not (``0 0 30 2 *``, 30 February) never fires and is refused.
CRON_HORIZON_YEARS = 30
MAX_SCHEDULES = 50


def cron_never_fires(expression: str, now: datetime | None = None) -> bool:
    """True when the (valid) crontab ``expression`` has no fire time within ``CRON_HORIZON_YEARS``."""
    now = now or datetime.now(UTC)
    minute, hour, day, month, day_of_week = expression.split()
    bounded = CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week,
        year=f"{now.year}-{now.year + CRON_HORIZON_YEARS}", timezone=UTC,
    )  # fmt: skip
    return bounded.get_next_fire_time(None, now) is None


class Schedule(BaseModel):
    """When a stream syncs: every ``interval_seconds`` (at most a year) or on a ``cron`` expression
    (UTC) that fires at least once."""

    model_config = ConfigDict(extra="forbid")

    stream: str = Field(default="*", max_length=100, description="A stream name, or * for every stream.")
    interval_seconds: int | None = Field(default=None, ge=1, le=MAX_INTERVAL_SECONDS)
    cron: str | None = Field(default=None, max_length=200)
    mode: Literal["incremental", "full"] = "incremental"

    @field_validator("cron")
    @classmethod
    def _cron_fires(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            CronTrigger.from_crontab(value, timezone=UTC)
        except ValueError as exc:
            raise ValueError(f"invalid cron expression {value!r}: {exc}") from exc
        if cron_never_fires(value):
            raise ValueError(f"cron expression {value!r} never fires (an impossible date such as 30 February?)")
        return value

    @model_validator(mode="after")
    def _one_trigger(self) -> Schedule:
        if (self.interval_seconds is None) == (self.cron is None):
            raise ValueError("give exactly one of interval_seconds or cron")
        return self


class ConnectorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="Stable id; also the source instance.")
    kind: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    config: dict[str, Any] = Field(default_factory=dict)
    credentials: dict[str, Any] = Field(default_factory=dict, description="Write-only.")
    schedules: list[Schedule] = Field(default_factory=list, max_length=MAX_SCHEDULES)
    enabled: bool = True


class ConnectorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    config: dict[str, Any] | None = None
    credentials: dict[str, Any] | None = Field(default=None, description="Merged into the stored ones.")
    schedules: list[Schedule] | None = Field(default=None, max_length=MAX_SCHEDULES)
    enabled: bool | None = None


class ConnectorPublic(BaseModel):
    id: str
    kind: str
    name: str
    config: dict[str, Any]
    credentials_set: list[str]
    schedules: list[Schedule]
    enabled: bool
    streams: list[str]
    created_at: datetime
    updated_at: datetime
    error: str | None = Field(
        default=None,
        description="Why the stored configuration is unusable (a row written before today's bounds): the "
        "connector is not scheduled nor synced until it is fixed with PATCH.",
    )


def secret_fields(model: type[BaseModel]) -> set[str]:
    """Names of the fields typed ``SecretStr`` (or ``SecretStr | None``)."""
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = typing.get_args(annotation) or (annotation,)
        if SecretStr in args:
            names.add(name)
    return names


def _stored_schedules(stored: Any) -> tuple[list[Schedule], str | None]:
    """The valid schedules of a stored row, and what is wrong with the others (None when all are valid)."""
    if not isinstance(stored, list):
        return [], "stored schedules are not a list"
    valid, problems = [], []
    for n, item in enumerate(stored):
        try:
            valid.append(Schedule.model_validate(item))
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append(f"schedule {n}{' ' + where if where else ''}: {first['msg']}")
    return valid, ("invalid stored schedules: " + "; ".join(problems)) if problems else None


def _describe(exc: ConnectorConfigError) -> str:
    if not exc.errors:
        return str(exc)
    first = exc.errors[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{exc}: {where + ': ' if where else ''}{first['msg']}"


class ConnectorStore:
    """CRUD over configured connectors, and building live connector instances from them."""

    def __init__(
        self, engine: Engine, registry: ConnectorRegistry, box: SecretBox, *, outbound: OutboundPolicy | None = None
    ) -> None:
        self.engine = engine
        #: where connectors may connect: checked on config create/update and by every connection
        self.outbound = outbound if outbound is not None else OutboundPolicy()
        self.reader = reader(engine)
        self.registry = registry
        self.box = box

    def _validate(self, kind: str, config: dict[str, Any], credentials: dict[str, Any]) -> BaseModel:
        try:
            cls = self.registry.get(kind)
        except KeyError as exc:
            raise ConnectorConfigError(str(exc.args[0] if exc.args else exc)) from exc
        secrets = secret_fields(cls.config_model)
        misplaced = sorted(set(config) & secrets)
        if misplaced:
            raise ConnectorConfigError(
                f"{', '.join(misplaced)} are credentials: send them under 'credentials', not 'config'"
            )
        unknown = sorted(set(credentials) - secrets)
        if unknown:
            raise ConnectorConfigError(
                f"{', '.join(unknown)} are not credentials of {kind} (those are: "
                f"{', '.join(sorted(secrets)) or 'none'})"
            )
        try:
            return cls.config_model.model_validate(
                {**config, **credentials}, context={POLICY_CONTEXT_KEY: self.outbound}
            )
        except ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            first = errors[0] if errors else None
            where = ".".join(str(part) for part in first["loc"]) if first else ""
            msg = str(first["msg"]).removeprefix("Value error, ") if first else ""
            detail = "" if not where else f": {msg}" if msg.startswith(f"{where}:") else f": {where}: {msg}"
            raise ConnectorConfigError(f"invalid {kind} configuration{detail}", errors) from exc

    def _check_schedules(self, kind: str, schedules: list[Schedule]) -> None:
        streams = {s.name for s in self.registry.get(kind).spec.streams}
        for schedule in schedules:
            if schedule.stream != "*" and schedule.stream not in streams:
                raise ConnectorConfigError(
                    f"schedule names unknown stream {schedule.stream!r}; {kind} has {', '.join(sorted(streams))}"
                )

    def _public(self, row: Any) -> ConnectorPublic:
        """The API's view of a row; a row that no longer validates is described, with ``error`` set,
        instead of failing every listing (it is then skipped by the scheduler and the runner)."""
        error: str | None = None
        credentials = self.box.open(row.secrets)
        try:
            streams = [s.name for s in self.registry.get(row.kind).spec.streams]
        except KeyError as exc:
            streams, error = [], str(exc.args[0] if exc.args else exc)
        schedules, bad = _stored_schedules(row.schedules)
        if bad:
            error = bad
        if error is None:
            try:
                self._validate(row.kind, row.config if isinstance(row.config, dict) else {}, credentials)
            except ConnectorConfigError as exc:
                error = _describe(exc)
        return ConnectorPublic(
            id=row.id,
            kind=row.kind,
            name=row.name,
            config=row.config if isinstance(row.config, dict) else {},
            credentials_set=sorted(credentials),
            schedules=schedules,
            enabled=row.enabled,
            streams=streams,
            created_at=row.created_at,
            updated_at=row.updated_at,
            error=error,
        )

    def _row(self, connector_id: str) -> Any:
        with self.reader.connect() as conn:
            row = conn.execute(select(connectors_table).where(connectors_table.c.id == connector_id)).first()
        if row is None:
            raise NotFound(f"no connector {connector_id!r}")
        return row

    def create(self, data: ConnectorCreate) -> ConnectorPublic:
        self._validate(data.kind, data.config, data.credentials)
        self._check_schedules(data.kind, data.schedules)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            exists = conn.execute(select(connectors_table.c.id).where(connectors_table.c.id == data.id)).first()
            if exists:
                raise Conflict(f"connector {data.id!r} already exists")
            conn.execute(
                insert(connectors_table).values(
                    id=data.id,
                    kind=data.kind,
                    name=data.name or data.id,
                    config=data.config,
                    secrets=self.box.seal(data.credentials),
                    schedules=[s.model_dump() for s in data.schedules],
                    enabled=data.enabled,
                    created_at=now,
                    updated_at=now,
                )
            )
        return self.get(data.id)

    def update(self, connector_id: str, patch: ConnectorUpdate) -> ConnectorPublic:
        row = self._row(connector_id)
        config = patch.config if patch.config is not None else row.config
        # A credential set to null is removed (e.g. the previous webhook secret after a rotation).
        merged = {**self.box.open(row.secrets), **(patch.credentials or {})}
        credentials = {k: v for k, v in merged.items() if v is not None}
        self._validate(row.kind, config, credentials)
        values: dict[str, Any] = {"config": config, "secrets": self.box.seal(credentials)}
        if patch.schedules is not None:
            self._check_schedules(row.kind, patch.schedules)
            values["schedules"] = [s.model_dump() for s in patch.schedules]
        else:
            _, bad = _stored_schedules(row.schedules)
            if bad:
                raise ConnectorConfigError(f"{bad}; send schedules to replace them")
        if patch.name is not None:
            values["name"] = patch.name
        if patch.enabled is not None:
            values["enabled"] = patch.enabled
        values["updated_at"] = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(update(connectors_table).where(connectors_table.c.id == connector_id).values(**values))
        return self.get(connector_id)

    def upsert(self, data: ConnectorCreate) -> ConnectorPublic:
        """Create, or bring an existing connector in line with ``data`` (config as code)."""
        try:
            self._row(data.id)
        except NotFound:
            return self.create(data)
        return self.update(
            data.id,
            ConnectorUpdate(
                name=data.name,
                config=data.config,
                credentials=data.credentials,
                schedules=data.schedules,
                enabled=data.enabled,
            ),
        )

    def delete(self, connector_id: str) -> None:
        """Delete the connector and retire its sync state in one transaction: its leases (a running
        sync stops at its next page, see ``hub.sync.runner``), cursors and resume positions, so a
        connector re-created with this id starts with a full read. Its ledger history, source records
        and xrefs stay (they are the record of what was read)."""
        self._row(connector_id)
        with self.engine.begin() as conn:
            # Leases first (in stream order), then the state: the order a committing page takes its locks
            # in, so a page committing meanwhile on PostgreSQL waits instead of deadlocking.
            mine = stream_leases.c.connector_id == connector_id
            conn.execute(select(stream_leases.c.stream).where(mine).order_by(stream_leases.c.stream).with_for_update())
            conn.execute(delete(stream_leases).where(mine))
            conn.execute(delete(stream_state).where(stream_state.c.connector_id == connector_id))
            conn.execute(delete(stream_seen).where(stream_seen.c.connector_id == connector_id))  # unfinished reads
            conn.execute(delete(connectors_table).where(connectors_table.c.id == connector_id))

    def get(self, connector_id: str) -> ConnectorPublic:
        return self._public(self._row(connector_id))

    def list(self) -> list[ConnectorPublic]:
        with self.reader.connect() as conn:
            rows = conn.execute(select(connectors_table).order_by(connectors_table.c.id)).fetchall()
        return [self._public(row) for row in rows]

    def build(self, connector_id: str) -> Connector:
        """A live connector instance with its decrypted credentials; credentials it reports replaced
        upstream (a rotated refresh token) are sealed back at once."""
        row = self._row(connector_id)
        config = self._validate(row.kind, row.config, self.box.open(row.secrets))
        connector = self.registry.get(row.kind)(config, outbound=self.outbound)
        connector.credentials_changed = functools.partial(self.replace_credentials, connector_id)
        return connector

    def replace_credentials(self, connector_id: str, credentials: dict[str, str]) -> None:
        """Store credentials the upstream replaced (merged into the sealed ones, like an update)."""
        self.update(connector_id, ConnectorUpdate(credentials=credentials))

    def kind_of(self, connector_id: str) -> str:
        return str(self._row(connector_id).kind)
