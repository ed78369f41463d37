"""The ``hub`` command line (typer + rich)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.settings import Settings

app = typer.Typer(
    help="Partner integration hub: connectors, reconciliation ledger, golden records.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
)
ledger_app = typer.Typer(help="The reconciliation ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
deletes_app = typer.Typer(help="Deletes held by the mass-delete guard.", no_args_is_help=True)
app.add_typer(deletes_app, name="deletes")
console = Console(width=None if sys.stdout.isatty() else 150)  # logs and CI: wide tables, not 80 columns


def _hub(config: Path | None = None):  # type: ignore[no-untyped-def]
    from hub import config_file
    from hub.context import Hub

    settings = Settings()
    hub = Hub.from_settings(settings)
    path = config or settings.config_file
    if path is not None:
        config_file.apply(path, hub.store)
    return hub


def _serve_app(hub, token: str, *, background: bool):  # type: ignore[no-untyped-def]
    """The app of one ``hub serve`` process; ``background``: it runs the scheduler and inbox workers."""
    from hub.api import create_app
    from hub.scheduler import HubScheduler

    scheduler = None
    if background and hub.settings.scheduler_enabled:
        from hub.writeback.dispatch import dispatch_all

        scheduler = HubScheduler(
            hub.store, hub.runner, writeback=lambda: dispatch_all(hub),
            writeback_seconds=hub.settings.writeback_interval_seconds,
        )  # fmt: skip
    workers = hub.settings.webhook_workers if background else 0
    return create_app(hub, admin_token=token, scheduler=scheduler, workers=workers)


#: the file whose ``flock`` holder, among ``hub serve --workers N`` processes, runs the background jobs
BACKGROUND_LOCK = "serve-background.lock"


def serve_worker_app():  # type: ignore[no-untyped-def]
    """The app factory of each ``hub serve --workers N`` process (``hub.serving.serve_workers``): the
    parent has migrated the database and applied the connectors file; the process holding the
    background lock runs the scheduler and inbox workers, the others only serve."""
    from hub.context import Hub
    from hub.serving import BackgroundRole, install_log_redaction

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    settings = Settings()
    hub = Hub.from_settings(settings, run_migrations=False)
    role = BackgroundRole(settings.data_dir / BACKGROUND_LOCK)
    background = role.acquire()
    log = logging.getLogger("hub.serve")
    if background:
        log.info("process %d runs the background jobs (scheduler: %s, inbox workers: %d)", os.getpid(),
                 settings.scheduler_enabled, settings.webhook_workers)  # fmt: skip
    else:
        log.info("process %d receives only (another process holds %s)", os.getpid(), role.path)
    token, _generated = settings.resolved_admin_token()
    app_ = _serve_app(hub, token, background=background)
    app_.state.background_role = role  # held for the process's life
    return app_


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    config: Annotated[Path | None, typer.Option(help="Connectors YAML to apply at start.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=32,
            help="Receiver processes on the port (past one process's GIL); the scheduler and inbox workers "
            "run in exactly one of them (docs/adr/0024).",
        ),
    ] = 1,
) -> None:
    """Run the API and the scheduler."""
    import uvicorn

    from hub.serving import serve_config, serve_workers

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    hub = _hub(config)
    token, generated = hub.settings.resolved_admin_token()
    if generated:
        console.print(f"[yellow]HUB_ADMIN_TOKEN not set; this run's admin token:[/] {token}")
    if workers > 1:
        # The worker processes read the same settings from the environment: one token for all of
        # them, and the key file the parent created (if it did).
        os.environ["HUB_ADMIN_TOKEN"] = token
        keep_alive = hub.settings.keep_alive_seconds
        hub.close()
        serve_workers(host, port, workers, keep_alive=keep_alive)
        return
    app_ = _serve_app(hub, token, background=True)
    config_ = serve_config(
        app_, host, port, header_timeout=hub.settings.header_timeout_seconds,
        keep_alive=hub.settings.keep_alive_seconds,
    )  # fmt: skip
    uvicorn.Server(config_).run()


@app.command()
def worker(
    threads: Annotated[int, typer.Option(help="Inbox worker threads.")] = 1,
    drain: Annotated[bool, typer.Option("--drain", help="Exit once nothing is due instead of polling.")] = False,
    writeback: Annotated[
        float | None,
        typer.Option(
            help="Push due outbox rows every this many seconds (default HUB_WRITEBACK_INTERVAL_SECONDS; 0 = off)."
        ),
    ] = None,
) -> None:
    """Apply webhook inbox events and push the write-back outbox (without the API): the worker role
    of a scaled-out hub."""
    import signal
    import threading

    from hub.inbound import connector_cache, inbox_worker
    from hub.serving import install_log_redaction
    from hub.writeback.dispatch import dispatch_all

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    hub = _hub()
    interval = hub.settings.writeback_interval_seconds if writeback is None else writeback
    cache = connector_cache(hub)
    workers = [inbox_worker(hub, cache) for _ in range(max(1, threads))]
    if drain:
        done = sum(w.drain() for w in workers)
        console.print(f"applied {done} inbox events")
        if interval > 0:
            pushed = dispatch_all(hub)
            console.print(f"write-back: sent {pushed.sent}, unchanged {pushed.unchanged}, "
                          f"rejected {pushed.rejected}, failed {pushed.failed}")  # fmt: skip
    else:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        for item in workers:
            item.start()

        def push() -> None:
            while not stop.wait(interval):
                try:
                    dispatch_all(hub)
                except Exception:
                    logging.getLogger("hub.writeback").exception("write-back dispatch crashed")

        pusher = threading.Thread(target=push, name="writeback", daemon=True) if interval > 0 else None
        if pusher is not None:
            pusher.start()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        stop.set()
        for item in workers:
            item.stop()
        if pusher is not None:
            pusher.join(30)
    cache.close()
    hub.close()


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="First port; each simulated system takes the next one.")] = 8787,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic world.")] = 7,
    size: Annotated[int, typer.Option(help="Records in the synthetic world (all objects).")] = 1000,
    fixture: Annotated[Path | None, typer.Option(help="Load the world from this JSON fixture instead.")] = None,
    rate_limit: Annotated[int, typer.Option(help="HubSpot requests per 10 s per token (0 = off).")] = 190,
    webhook_url: Annotated[str | None, typer.Option(help="Send HubSpot's signed webhooks to this URL.")] = None,
) -> None:
    """Serve the simulated upstream systems (HubSpot, PartnerStack, Salesforce over HTTPS) on loopback,
    on consecutive ports from --port, printing their base URLs and credentials."""
    from sandbox.server import serve as serve_sandbox

    serve_sandbox(port=port, seed=seed, size=size, fixture=fixture, rate_limit=rate_limit, webhook_url=webhook_url)


@app.command()
def sync(
    connector: Annotated[str, typer.Argument(help="Connector id.")],
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything instead of changes since the cursor.")
    ] = False,
    stream: Annotated[list[str] | None, typer.Option(help="Only these streams (repeatable).")] = None,
    config: Annotated[Path | None, typer.Option(help="Connectors YAML to apply first.")] = None,
) -> None:
    """Sync a connector now, with a progress bar."""
    hub = _hub(config)
    failed = False
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stats]}"),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task(f"{connector}", total=None, stats="")

        def on_page(run):  # type: ignore[no-untyped-def]
            progress.update(
                task, description=f"{connector}/{run.stream} ({run.mode})",
                stats=f"pages {run.pages}  seen {run.outcome.seen}  changed {run.outcome.changed}",
            )  # fmt: skip

        runs = hub.runner.run_all(connector, mode="full" if full else "incremental", trigger="cli", streams=stream,
                                  on_page=on_page)  # fmt: skip
    for run in runs:
        colour = "green" if run.status == "succeeded" else "red"
        console.print(
            f"[{colour}]{run.status}[/] {connector}/{run.stream} {run.mode}: pages={run.pages} seen={run.outcome.seen}"
            f" changed={run.outcome.changed} unchanged={run.outcome.unchanged} dead_letters={run.outcome.dead_lettered}"
            f" in {run.seconds:.2f}s" + (f"  error: {run.error}" if run.error else "")
        )
        failed = failed or run.status != "succeeded"
    hub.close()
    raise typer.Exit(1 if failed else 0)


@app.command()
def writeback(
    connector: Annotated[str, typer.Argument(help="Connector id.")],
    object_name: Annotated[str, typer.Argument(metavar="OBJECT", help="Source object, e.g. companies.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only report changed / invalid / rejected counts; write nothing.")
    ] = False,
    retry_rejected: Annotated[
        bool, typer.Option("--retry-rejected", help="Send again writes the upstream rejected before.")
    ] = False,
    config: Annotated[Path | None, typer.Option(help="Connectors YAML to apply first.")] = None,
) -> None:
    """Write golden values back to the connector's records where they differ (through the outbox)."""
    from hub.writeback.run import writeback as run_writeback

    hub = _hub(config)
    report = run_writeback(hub, connector, object_name, dry_run=dry_run, retry_rejected=retry_rejected)
    console.print(
        f"{connector}/{object_name}: examined {report.examined}, changed {report.changed}, invalid {report.invalid}, "
        f"rejected {report.rejected}, in flight {report.in_flight}, awaiting echo {report.awaiting_echo}; "
        f"written {report.written}, unchanged {report.unchanged}, failed {report.retrying}"
        + (" (dry run)" if dry_run else " (failed writes are retried on the next run)")
    )
    for item in report.sample:
        console.print(f"  {item['key']}: {item['properties']}")
    hub.close()
    raise typer.Exit(1 if report.failed else 0)


@app.command("writeback-results")
def writeback_results(
    connector: Annotated[str, typer.Argument(help="Connector id.")],
    object_name: Annotated[str | None, typer.Option("--object", help="Only this source object.")] = None,
    status: Annotated[str | None, typer.Option(help="sent, unchanged, rejected or failed.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show (newest first).")] = 20,
) -> None:
    """Print the write-back result log: one row per attempt."""
    from hub.writeback.run import results

    hub = _hub()
    hub.store.get(connector)
    page = results(hub, connector, object_name=object_name, status=status, limit=limit)
    table = Table("id", "at", "object", "record", "status", "properties", "error")
    for item in page["items"]:
        table.add_row(str(item["id"]), item["at"][:19], item["object"], item["external_id"], item["status"],
                      str(item["properties"])[:60], (item["error"] or "")[:60])  # fmt: skip
    console.print(table)
    hub.close()


@app.command()
def status(config: Annotated[Path | None, typer.Option(help="Connectors YAML to apply first.")] = None) -> None:
    """Print every connector's streams as a table."""
    from hub.queries import stream_status

    hub = _hub(config)
    table = Table(
        "connector", "stream", "state", "cursor", "lag", "last run", "seen", "changed", "deletes held", "last error"
    )
    with hub.reader.connect() as conn:
        for connector in hub.store.list():
            for name in connector.streams:
                item = stream_status(conn, connector.id, name)
                last = item["last_run"]
                lag = f"{item['lag_seconds']:.0f}s" if item["lag_seconds"] is not None else "-"
                holds = item["held_deletes"]
                held = ", ".join(f"{h['candidates']} of {h['live']}" for h in holds) if holds else "-"
                table.add_row(
                    connector.id, name, item["state"], item["cursor"] or "-", lag,
                    (last["started_at"] or "-")[:19] if last else "-", str(item["records_seen"]),
                    str(item["records_changed"]), held, (item["last_error"] or "")[:60],
                )  # fmt: skip
    console.print(table)
    hub.close()


@deletes_app.command("list")
def deletes_list(
    connector: Annotated[str, typer.Argument(help="Connector id.")],
    all_holds: Annotated[bool, typer.Option("--all", help="Decided holds too, newest first.")] = False,
) -> None:
    """Deletes held for a decision: per stream, how many of its live records a complete read did not list."""
    from hub import deletes

    hub = _hub()
    items = deletes.history(hub, connector) if all_holds else deletes.held(hub, connector)
    table = Table("stream", "hold", "status", "tombstones", "live", "share", "limit", "run", "held at", "decided by")
    for h in items:
        table.add_row(
            h["stream"], h["id"], h["status"], str(h["candidates"]), str(h["live"]), f"{h['share'] or 0:.1%}",
            f"{h['share_limit']:.0%} / {h['min_count']}", h["run_id"], h["created_at"][:19], h["decided_by"] or "-",
        )  # fmt: skip
    console.print(table)
    hub.close()


_HoldConnector = Annotated[str, typer.Argument(help="Connector id.")]
_HoldStream = Annotated[str, typer.Argument(help="Stream name.")]
_HoldBy = Annotated[str, typer.Option(help="Who decides (kept in the ledger).")]
_HoldId = Annotated[str | None, typer.Option(help="The hold id (default: the newest held).")]
_HOLD_OUTCOMES = {
    "confirm": "confirmed hold {id}: {applied} records tombstoned",
    "reject": "rejected hold {id}: {candidates} records kept",
}


def _decide_hold(verb: Literal["confirm", "reject"], connector: str, stream: str, by: str, hold: str | None) -> None:
    """`hub deletes confirm|reject`: the two differ only by the decision and its one-line outcome."""
    from hub import deletes

    decide = deletes.confirm if verb == "confirm" else deletes.reject
    hub = _hub()
    result = decide(hub, connector, stream, by, hold)
    console.print(f"{connector}/{stream}: " + _HOLD_OUTCOMES[verb].format_map(result))
    hub.close()


@deletes_app.command("confirm")
def deletes_confirm(
    connector: _HoldConnector, stream: _HoldStream, by: _HoldBy = "operator", hold: _HoldId = None
) -> None:
    """Tombstone exactly the held set of a stream."""
    _decide_hold("confirm", connector, stream, by, hold)


@deletes_app.command("reject")
def deletes_reject(
    connector: _HoldConnector, stream: _HoldStream, by: _HoldBy = "operator", hold: _HoldId = None
) -> None:
    """Discard the held set of a stream: nothing is tombstoned."""
    _decide_hold("reject", connector, stream, by, hold)


@ledger_app.command("rebuild")
def ledger_rebuild() -> None:
    """Drop the golden and source-record projections and recompute them by replaying the ledger."""
    from hub.ledger.rebuild import rebuild

    hub = _hub()
    with hub.engine.begin() as conn:
        report = rebuild(conn)
    console.print(
        f"replayed {report.entries} ledger entries into {report.source_records} source records and "
        f"{report.golden_records} golden records"
    )
    hub.close()


@ledger_app.command("verify")
def ledger_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    head: Annotated[
        str | None, typer.Option(help="The head hash recorded earlier (e.g. by a previous verify): must match.")
    ] = None,
) -> None:
    """Recompute the ledger's hash chain; name the first bad entry and why. Exit 1 when it is broken."""
    import orjson

    from hub.ledger.chain import snapshot, verify

    hub = _hub()
    try:
        with snapshot(hub.reader).connect() as conn, conn.begin():
            result = verify(conn)
    finally:
        hub.close()
    body = result.as_dict()
    anchored = head is None or not result.ok or result.last_hash == head
    if not anchored:
        body["ok"] = False
        message = f"the chain ends in {result.last_hash}, not the recorded head {head}"
        body["problem"] = {"kind": "head", "entry_id": result.last_id, "message": message}
    if as_json:
        sys.stdout.write(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif body["ok"]:
        console.print(
            f"[green]ledger intact[/]: {result.entries} entries, last #{result.last_id}, head {result.last_hash}"
        )
    else:
        problem = body["problem"]
        where = f"entry #{problem['entry_id']}" if problem["entry_id"] is not None else "the chain head"
        console.print(f"[red]ledger broken[/] at {where} ([bold]{problem['kind']}[/]): {problem['message']}")
        console.print(f"  {result.entries} entries verified before it; last good #{result.last_id} {result.last_hash}")
    raise typer.Exit(0 if body["ok"] else 1)


@app.command()
def reconcile(
    entity: Annotated[
        str | None, typer.Option(help="organization, person, opportunity or deal_registration (default: all).")
    ] = None,
    report: Annotated[bool, typer.Option("--report", help="Only print the reconciliation report.")] = False,
) -> None:
    """Re-cluster every record from scratch (steward decisions hold), then print the reconciliation report."""
    from hub.api.routes.matches import Entity, reconcile_all
    from hub.identity.report import format_report, reconciliation_report

    hub = _hub()
    if not report:
        try:
            entities = [Entity(entity).value] if entity else [e.value for e in Entity]
        except ValueError:
            console.print(f"[red]error:[/] unknown entity {entity!r}; one of {', '.join(e.value for e in Entity)}")
            raise typer.Exit(2) from None
        table = Table("entity", "records", "clusters before", "clusters after", "records moved", "review opened")
        for item in reconcile_all(hub, entities):
            table.add_row(item["entity"], str(item["records"]), str(item["clusters_before"]),
                          str(item["clusters_after"]), str(item["moved"]), str(item["review_opened"]))  # fmt: skip
        console.print(table)
    with hub.reader.connect() as conn:
        console.print(format_report(reconciliation_report(conn)))
    hub.close()


@app.command()
def demo(
    size: Annotated[int, typer.Option(help="Records in the sandbox world.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the sandbox world.")] = 7,
) -> None:
    """Sandbox + hub in one process on a fresh SQLite file: full sync, upstream changes, incremental sync."""
    from hub.demo import run_demo

    raise typer.Exit(run_demo(console, size=size, seed=seed))


def settings_problem(exc: ValidationError) -> str:
    """One line naming each bad ``HUB_*`` setting and what is wrong with it (never its value)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        name = "HUB_" + "_".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(message if message.startswith(name) else f"{name}: {message}")
    return "; ".join(parts) + " (fix it in the environment or .env)"


def main() -> None:
    """Entry point: expected failures print one line and exit 2, not a traceback."""
    import errno

    from hub.connector_store import ConnectorConfigError, NotFound
    from hub.sync import StreamBusy
    from hub.sync.deletes import HoldNotFound
    from hub.writeback.run import WritebackError

    try:
        app()
    except (NotFound, StreamBusy, WritebackError, ConnectorConfigError, FileNotFoundError, HoldNotFound) as exc:
        console.print(f"[red]error:[/] {exc.args[0] if exc.args else exc}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except ValidationError as exc:
        if exc.title == Settings.__name__:
            console.print(f"[red]error:[/] {settings_problem(exc)}", highlight=False, soft_wrap=True)
        else:
            console.print(f"[red]error:[/] invalid input: {exc.error_count()} error(s)", highlight=False)
        raise SystemExit(2) from None
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        console.print(
            f"[red]error:[/] {exc.strerror}: the port is taken; stop what listens there or choose another --port "
            "(the sandbox uses --port and the next ports, one per system)",
            highlight=False,
            soft_wrap=True,
        )
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
