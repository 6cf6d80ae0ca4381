"""The ``deskui`` command: the inbox by default, and the tools around it.

User errors end in one line on stderr and a non-zero exit; tracebacks are kept for bugs.

This module is over 500 lines on purpose: it is the wiring. Each command is a short ``cmd_*``
handler that parses options and calls the core, next to a small ``_add_*_parser``; splitting them
across modules would only scatter one command's options from its handler.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from deskui.cliargs import MAX_HEALTH_DAYS, Parser, database_trouble, format_name, seconds, whole, zone_name
from deskui.output import json_text, print_json, say, warn
from deskui.policy import PolicyError, load_policy
from deskui.store import StoreError, connect, default_db_path
from deskui.store.db import database_target, describe_failure, init_database, is_url, shown_target

COMMANDS = ("demo", "init", "classify", "policy", "refresh", "inbox", "board", "outbox", "serve", "health", "alerts", "import", "watch")


class UserError(Exception):
    """An error the user can fix; printed as one line, no traceback."""


def _fail(message: str, code: int = 2) -> int:
    warn(f"deskui: {message}")
    return code


def _db_path(value: str | None) -> Path | str:
    return database_target(value)  # a URL stays text


# ---------------------------------------------------------------- classify
def cmd_classify(args: argparse.Namespace) -> int:
    """JSON Lines in, JSON Lines out, one answer per line, in order."""
    from deskui.triage.classify import classify_record

    policy = load_policy(args.policy)
    malformed = 0
    out = sys.stdout
    write = out.write
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            answer = json_text(classify_record(policy, record), separators=(",", ":"))
        except (ValueError, TypeError, RecursionError) as error:
            malformed += 1
            write(json_text({"line": number, "error": _classify_error(error)}, separators=(",", ":")) + "\n")
            continue
        write(answer + "\n")
    out.flush()
    if malformed:
        warn(f"deskui classify: {malformed} malformed line(s); see the error lines in the output")
    return 1 if malformed else 0


def _classify_error(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply (arrays or objects inside each other); send flat objects"
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg} at column {error.colno}"
    return str(error)


# ---------------------------------------------------------------- policy
def cmd_policy(args: argparse.Namespace) -> int:
    from deskui.policy import default_policy_text
    from deskui.policy.show import describe

    if args.policy_command == "check":
        from deskui.policy.loader import check_lexicons, is_lexicon_file

        lexicon_problems, lexicon_lines = check_lexicons(args.file)
        if is_lexicon_file(args.file):  # `deskui policy check my-lexicon.toml`
            policy, problems = None, []
        else:
            try:
                policy, problems = load_policy(args.file), []
            except PolicyError as error:
                policy, problems = None, error.problems
        problems += lexicon_problems
        if problems:
            for problem in problems:
                warn(problem)
            if len(problems) > 1:  # one problem is its own one line
                warn(f"deskui: {len(problems)} problem(s) in {args.file}")
            return 1
        if policy is not None:
            say(f"{args.file}: OK ({len(policy.tiers)} tiers, {len(policy.rules)} rules)")
        for line in lexicon_lines:
            say(line)
        return 0
    if args.policy_command == "show":
        policy = load_policy(args.policy)
        if args.toml:
            from deskui.text import clean

            text = Path(args.policy).read_text(encoding="utf-8") if args.policy else default_policy_text()
            sys.stdout.write(clean(text))
        else:
            for text in describe(policy).splitlines():
                say(text)
        return 0
    raise AssertionError(args.policy_command)


# ---------------------------------------------------------------- init / demo
def cmd_init(args: argparse.Namespace) -> int:
    say(init_database(args.db))
    return 0


def _progress_bar(stream):
    if not stream.isatty():
        return None
    width = 30

    def draw(done: int, total: int) -> None:
        filled = int(width * done / total) if total else width
        stream.write(f"\r  building  [{'#' * filled}{'.' * (width - filled)}] {done:>7}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return draw


def cmd_demo(args: argparse.Namespace) -> int:
    from deskui import demo
    from deskui.clock import SystemClock

    path = _db_path(args.db) if args.db else Path(os.environ.get("DESKUI_DEMO_DB", "deskui-demo.db"))
    policy = load_policy(args.policy)
    now = SystemClock().now()
    force = args.force
    if not is_url(path) and path.exists() and not force:
        if sys.stdin.isatty() and sys.stdout.isatty():
            answer = input(f"{path} exists. Replace it with new demo data? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                return _fail(f"{path} left as it was; use --db PATH for another file or --force", 1)
            force = True
        else:
            return _fail(f"{path} exists; pass --force to replace it, or --db PATH for another file", 1)
    summary = demo.generate(
        path, seed=args.seed, tickets=args.tickets, now=now, policy=policy, force=force, progress=_progress_bar(sys.stderr)
    )
    for text in summary.lines():
        say(text)
    if args.no_open:
        return 0
    args.demo_alerts = demo.demo_alert_rules(policy)  # used when the config file has none: the board shows alerts firing
    say("  alerts: the [[alerts]] of your config file, else four example rules (docs/health.md)")
    if args.no_live:
        return _open_inbox(path, args)
    import threading

    stop = threading.Event()
    feed = threading.Thread(target=demo.live_feed, args=(path, SystemClock(), stop), kwargs={"seed": args.seed}, daemon=True)
    feed.start()
    try:
        return _open_inbox(path, args)
    finally:
        stop.set()


def _open_inbox(path: Path, args: argparse.Namespace) -> int:
    from deskui.ui.app import run_inbox

    return run_inbox(path, args)


def cmd_inbox(args: argparse.Namespace) -> int:
    path = _db_path(args.db)
    connect(path).close()  # one clear line for a missing, foreign or newer file, before any UI
    return _open_inbox(path, args)


def cmd_board(args: argparse.Namespace) -> int:
    from deskui.ui.app import run_board

    path = _db_path(args.db)
    connect(path).close()
    return run_board(path, args)


def cmd_serve(args: argparse.Namespace) -> int:
    """The board (or the inbox) in a browser: one deskui process per tab, for the holder of the
    printed URL only (deskui/serve.py, docs/serve.md)."""
    import shlex

    from deskui import serve

    from deskui.config import ConfigError, config_path, load_config

    try:
        serve.check_port(args.port)
        serve.check_max_sessions(args.max_sessions)
        config = load_config()
        passwords = serve.read_passwords(config.source, str(config_path()))
        if passwords and None not in passwords:  # one password per agent: each login names its agent
            if args.agent:
                raise serve.ServeError("--agent: [serve.agents] in the config file names each login's agent; drop --agent")
            agent = None
        else:
            agent = serve.check_agent(args.agent, args.screen)
        path = _db_path(args.db)
        path = path if is_url(path) else path.resolve()
        connect(path).close()
        command, app_env = serve.app_command(sys.executable, args.screen, str(path),
                                             str(Path(args.policy).resolve()) if args.policy else None)
        sockets = serve.open_sockets(args.host, args.port)
    except serve.ServeError as error:
        raise UserError(f"serve: {error}") from None
    except ConfigError as error:
        raise UserError(str(error)) from None
    guard = serve.Guard.new(args.host, args.port, agent=agent, passwords=passwords)
    if not serve.is_loopback(args.host):
        print(f"deskui serve: listening on {args.host}: anyone with the URL sees your tickets (plain http)", file=sys.stderr)
    who = f" as {agent}" if agent else ""
    how = "  (log in with a password from [serve] in the config file)" if passwords else ""
    print(f"deskui {args.screen}{who} on {serve.display_url(args.host, args.port, guard.token)}{how}  (ctrl+c stops)",
          file=sys.stderr, flush=True)
    server = serve.GuardedServer(shlex.join(command), sockets=sockets, guard=guard, max_sessions=args.max_sessions,
                                 title=f"deskui {args.screen}", app_env=app_env)
    server.serve()
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    path = _db_path(args.db)
    connect(path).close()
    if not args.json:
        from deskui.ui.app import run_health

        return run_health(path, args)
    from deskui.analytics import health_check
    from deskui.clock import SystemClock

    policy = load_policy(args.policy)
    report = health_check(connect(path), policy, SystemClock().now(), days=args.days, channel=args.channel,
                          sample_size=args.sample, zone=_seller_zone(args.zone))
    print_json(report)
    return 0


def _seller_zone(requested: str | None):
    """--zone, else the config file's timezone, else UTC: the zone whose days a report counts."""
    from deskui.config import ConfigError, load_config
    from deskui.timeutil import zone

    if requested:
        try:
            return zone(requested)
        except ValueError as error:
            raise UserError(f"--zone: {error}") from None
    try:
        return zone(load_config().timezone)
    except ConfigError as error:
        raise UserError(str(error)) from None


def cmd_alerts(args: argparse.Namespace) -> int:
    """For cron: exit 1 when any alert fires, so the job's mail is the alarm."""
    from deskui.analytics import evaluate_alerts, parse_alert_rules
    from deskui.clock import SystemClock
    from deskui.config import ConfigError, config_path, load_config

    policy = load_policy(args.policy)
    tiers = [tier.name for tier in policy.tiers]
    if args.rules:
        import tomllib

        rules_path = Path(args.rules)
        try:
            text = rules_path.read_text(encoding="utf-8")
            rules = parse_alert_rules(tomllib.loads(text), str(rules_path), tiers=tiers, source=text)
        except FileNotFoundError:
            raise UserError(f"{rules_path}: no such file") from None
        except UnicodeDecodeError:
            raise UserError(f"{rules_path}: not a text file (not UTF-8); give a TOML file of [[alerts]]") from None
        except (ValueError, tomllib.TOMLDecodeError) as error:
            raise UserError(str(error) if str(error).startswith(str(rules_path)) else f"{rules_path}: {error}") from None
        except OSError as error:
            raise UserError(f"{rules_path}: cannot read it: {error.strerror or error}") from None
    else:
        try:
            rules = load_config(tiers=tiers).alerts
        except ConfigError as error:
            raise UserError(str(error)) from None
        if not rules:
            raise UserError(f"no [[alerts]] in {config_path()}; add some (README: Alerts) or pass --rules FILE")
    fired = evaluate_alerts(connect(_db_path(args.db)), policy, SystemClock().now(), rules)
    if args.json:
        print_json([alert.as_dict() for alert in fired])
    else:
        for alert in fired:
            say(f"ALERT {alert.message}")
        warn(f"{len(fired)} of {len(rules)} alert(s) firing")
    return 1 if fired else 0


def _import_options(args: argparse.Namespace) -> dict:
    from deskui.timeutil import zone

    rules = []
    for rule in args.channel_rule or []:
        pattern, _, channel = rule.partition("=")
        if not channel:
            raise UserError(f"--channel-rule {rule!r}: write it as ADDRESS-GLOB=CHANNEL, e.g. '*@myshop.com=shopify'")
        rules.append((pattern, channel))
    try:
        return {"format": args.format, "on_error": args.on_error, "zone": zone(args.zone), "dayfirst": args.dayfirst,
                "channel_rules": rules, "seller_addresses": args.seller or ()}
    except ValueError as error:
        raise UserError(f"--zone: {error}") from None


def cmd_import(args: argparse.Namespace) -> int:
    from deskui.clock import SystemClock
    from deskui.ingest import ImportFailed, import_file
    from deskui.ingest.base import storage_failure

    conn = connect(_db_path(args.db))
    policy = load_policy(args.policy)
    options = _import_options(args)
    status = 0
    for name in args.files:
        path = Path(name)
        if not path.exists():
            warn(f"deskui: {path}: no such file; check the path")
            status = 1
            continue
        if not (path.is_file() or path.is_dir()):  # a FIFO or device would block the importer, or never end
            warn(f"deskui: {path}: not a regular file (a FIFO, socket or device); save the export to a file first")
            status = 1
            continue
        progress = _progress_bar(sys.stderr)
        try:
            summary = import_file(conn, path, policy=policy, now=SystemClock().now(), dry_run=args.dry_run,
                                  progress=(lambda done, total: progress(done, total or done)) if progress else None, **options)
        except ImportFailed as failed:
            summary, status = failed.summary, 1
        except sqlite3.OperationalError as error:  # a full disk: SQLite has rolled the file back
            if "locked" in str(error):
                raise  # another process holds the write lock: main() says so in one line
            warn(storage_failure(str(path), shown_target(_db_path(args.db)), error))
            return 1  # the database takes no writes now: the other files and pending triage would fail alike
        for text in summary.lines():
            say(text)
        if summary.rejected:
            status = 1
            warn(f"deskui: {_first_problem(summary)}")
    if not args.dry_run:
        _finish_pending_triage(conn, policy, SystemClock().now())
    return status


def _first_problem(summary) -> str:
    """The one stderr line of a file that was (partly) refused; stdout has the full list."""
    first = str(summary.rejections[0]) if summary.rejections else summary.file
    more = f" (and {summary.rejected - 1} more, listed above)" if summary.rejected > 1 else ""
    kept = "the good rows were stored" if summary.stored else f"nothing from {summary.file} was stored"
    return f"{first}{more}; {kept}"


def _finish_pending_triage(conn, policy, now) -> int:
    """Tickets an earlier run stored but did not live to triage (a kill, a crash) are triaged now."""
    from deskui.ingest import triage_pending

    count = triage_pending(conn, policy, now)
    if count:
        say(f"triaged {count} ticket(s) an earlier import or another program left untriaged", flush=True)
    return count


def cmd_watch(args: argparse.Namespace) -> int:
    from deskui.clock import SystemClock
    from deskui.watch import DropFolder, UnsafeFolder, watch

    directory = Path(args.directory)
    if not directory.is_dir():
        raise UserError(f"{directory}: not a folder; create it, or point your exports at an existing one")
    conn = connect(_db_path(args.db))
    policy, options = load_policy(args.policy), _import_options(args)
    try:
        DropFolder(directory).close()  # refuse a linked done/ or failed/ before saying "watching"
    except UnsafeFolder as error:
        raise UserError(str(error)) from None
    warn(f"watching {directory} (imported files go to done/, rejected ones to failed/; ctrl+c stops)")
    try:
        watch(directory, conn, policy, SystemClock(), interval=args.interval,
              report=lambda text: say(text, flush=True), **options)
    except UnsafeFolder as error:
        raise UserError(str(error)) from None
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Triage every ticket another program wrote without a tier, and index the rows written since
    for the search (for cron and scripts)."""
    from deskui.clock import SystemClock
    from deskui.store.tickets import refresh_tickets

    policy = load_policy(args.policy)
    conn = connect(_db_path(args.db))
    count = refresh_tickets(conn, policy, SystemClock().now())
    say(f"triaged {count} ticket(s)")
    from deskui.store import search

    # Rows written since, for the inbox's search; 0 on PostgreSQL, whose trigram indexes keep up by themselves.
    indexed = search.index_pending(_db_path(args.db))
    if indexed:
        say(f"indexed {indexed} row(s) for search")
    return 0


# ---------------------------------------------------------------- outbox
def cmd_outbox(args: argparse.Namespace) -> int:
    from deskui import outbox
    from deskui.clock import SystemClock

    conn = connect(_db_path(args.db))
    clock = SystemClock()
    if args.outbox_command == "list":
        items = outbox.list_outbox(conn, None if args.status == "all" else args.status)
        if args.json:
            print_json([item.as_json() for item in items])
        else:
            from deskui.text import one_line

            for item in items:
                say(f"{item.id:>6}  {item.status:<7} ticket {item.ticket_id:<7} {one_line(item.channel, limit=20):<9} "
                    f"{one_line(item.to_address, limit=40) or '(no address)':<40} {one_line(item.subject, limit=50)}")
            warn(f"{len(items)} repl{'y' if len(items) == 1 else 'ies'}")
        return 0
    if args.outbox_command == "export":
        directory = Path(args.directory)
        try:
            paths = outbox.export_eml(conn, directory, args.sender, clock.now())
        except OSError as error:
            raise UserError(f"{directory}: cannot write the .eml files there ({error.strerror or error}); "
                            "give a folder you can write to (it is created if missing)") from None
        say(f"wrote {len(paths)} .eml file(s) to {directory}")
        return 0
    if args.outbox_command == "mark":
        try:
            changed = outbox.mark(conn, clock, args.id, args.status, args.reason, wait=args.wait)
        except (ValueError, LookupError) as error:
            raise UserError(f"outbox mark {args.id}: {str(error).strip(chr(39))}") from None
        say(f"outbox {args.id}: {args.status}" + ("" if changed else f" (already {args.status}; nothing changed)"))
        return 0
    raise AssertionError(args.outbox_command)


# ---------------------------------------------------------------- sync (live mail, docs/mail.md)
COMMANDS += ("sync",)


def cmd_sync(args: argparse.Namespace) -> int:
    """Fetch the configured mailboxes and send the queued replies, once or until stopped."""
    import signal
    import threading

    from deskui.clock import SystemClock
    from deskui.config import config_path
    from deskui.connect import sync
    from deskui.connect.config import MailConfigError, load_mail_config

    path = Path(args.config) if args.config else config_path()
    try:
        cfg = load_mail_config(path)
    except MailConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    if not cfg.mailboxes and cfg.smtp is None:
        raise UserError(f"{path}: no [[mailboxes]] or [smtp] table; add them (see docs/mail.md)")
    policy = load_policy(args.policy)
    db = _db_path(args.db)
    connect(db).close()  # a missing or foreign file is one line here, before any server is asked
    clock = SystemClock()
    if args.once:
        report = sync.sync_once(db, cfg, policy=policy, clock=clock)
        for line in report.lines():
            print(line)
        for error in report.errors:
            print(f"deskui: {error}", file=sys.stderr)
        return 1 if report.errors else 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    names = ", ".join(box.name for box in cfg.mailboxes) or "no mailbox"
    print(f"syncing {names}{' and sending by SMTP' if cfg.smtp else ''} into {db} (ctrl+c stops)", file=sys.stderr)
    try:
        sync.run(db, cfg, policy=policy, clock=clock, stop=stop, report=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        stop.set()
    return 0


def _add_sync_parser(commands) -> None:
    syncing = commands.add_parser("sync", help="fetch mail by IMAP and send queued replies by SMTP (docs/mail.md)")
    syncing.add_argument("--db", help="database file (default: $DESKUI_DB or the user data folder)")
    syncing.add_argument("--policy", metavar="FILE", help="SLA policy TOML file")
    syncing.add_argument("--config", metavar="FILE", help="config file with [[mailboxes]] and [smtp] (default: $DESKUI_CONFIG or ~/.config/deskui/config.toml)")
    syncing.add_argument("--once", action="store_true", help="fetch and send once, print what happened, exit 1 if a server failed")
    syncing.set_defaults(handler=cmd_sync)


# ---------------------------------------------------------------- migrate
COMMANDS += ("migrate",)


def cmd_migrate(args: argparse.Namespace) -> int:
    from deskui.store.postgres.migrate import migrate, summary, terminal_progress

    say(summary(migrate(args.src, args.dst, terminal_progress(sys.stderr)), args.src, args.dst))
    return 0


def _add_migrate_parser(commands) -> None:
    migrating = commands.add_parser("migrate", help="copy a whole database into PostgreSQL or back (docs/postgres.md)")
    migrating.add_argument("src", help="the database to copy: a file, or postgresql://USER@HOST/DATABASE")
    migrating.add_argument("dst", help="where to: an empty PostgreSQL database, or a new file")
    migrating.set_defaults(handler=cmd_migrate)


# ---------------------------------------------------------------- parser
def _common(sub: argparse.ArgumentParser, db: bool = True) -> None:
    if db:
        sub.add_argument("db", nargs="?", help=f"database file (default: ${'DESKUI_DB'} or {default_db_path()})")
    sub.add_argument("--policy", metavar="FILE", help="SLA policy TOML file (default: the built-in policy)")


def _import_flags(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--db", help="database file (default: $DESKUI_DB or the user data folder)")
    sub.add_argument("--policy", metavar="FILE", help="SLA policy TOML file")
    sub.add_argument("--format", type=format_name, help="force the format instead of detecting it (docs/import.md)")
    sub.add_argument("--on-error", choices=("abort", "skip"), default="abort",
                     help="abort: store nothing from a file with a bad row (default); skip: store the good rows")
    sub.add_argument("--zone", type=zone_name, default="UTC", help="time zone of naive times in the files (e.g. Europe/Paris)")
    order = sub.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_true", default=None,
                       help="read ambiguous numeric dates day first: 01/02/2026 is 1 February (default: reject them)")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_false", help="read them month first: 01/02/2026 is 2 January")
    sub.add_argument("--channel-rule", action="append", metavar="GLOB=CHANNEL",
                     help="which channel mail to/from an address belongs to, e.g. '*@myshop.com=shopify'")
    sub.add_argument("--seller", action="append", metavar="ADDRESS", help="your own address: its mail is a reply, not a buyer message")


def _add_inbox_parser(commands) -> None:
    inbox = commands.add_parser("inbox", help="open the agent inbox (the default command)")
    _common(inbox)
    inbox.add_argument("--agent", default=None, help="your agent name (default: your login name)")
    inbox.add_argument("--theme", default=None, help="a Textual theme name, e.g. textual-dark, deskui-high-contrast")
    inbox.set_defaults(handler=cmd_inbox)


def _add_board_parser(commands) -> None:
    board = commands.add_parser("board", help="the lead's live timer board")
    _common(board)
    board.add_argument("--agent", default=None, help=argparse.SUPPRESS)
    board.add_argument("--theme", default=None, help="a Textual theme name")
    board.set_defaults(handler=cmd_board)


def _add_demo_parser(commands) -> None:
    demo = commands.add_parser("demo", help="generate realistic demo data and open the inbox on it")
    _common(demo, db=False)
    demo.add_argument("--db", help="where to write the demo database (default: ./deskui-demo.db)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives the same data (default 7)")
    demo.add_argument("--tickets", type=whole(1, 2_000_000, "tickets to generate"), default=2000, help="how many tickets, open and solved (default 2000)")
    demo.add_argument("--force", action="store_true", help="replace an existing file without asking")
    demo.add_argument("--no-open", action="store_true", help="generate, print the summary and exit")
    demo.add_argument("--no-live", action="store_true", help="no new buyer messages while the inbox is open")
    demo.add_argument("--agent", default=None, help=argparse.SUPPRESS)
    demo.add_argument("--theme", default=None, help=argparse.SUPPRESS)
    demo.set_defaults(handler=cmd_demo)


def _add_init_parser(commands) -> None:
    init = commands.add_parser("init", help="create an empty deskui database")
    init.add_argument("db", help="the file to create")
    init.set_defaults(handler=cmd_init)


def _add_classify_parser(commands) -> None:
    classify = commands.add_parser(
        "classify",
        help="triage JSON Lines from stdin (id, channel, subject, body) for scripts",
        description="Reads one JSON object per line on stdin with id, channel, subject and body; writes "
        "one JSON line per input, in order, with id, tier, target_minutes, category and evidence. "
        'A malformed line yields {"line": N, "error": "..."} and exit status 1.',
    )
    _common(classify, db=False)
    classify.set_defaults(handler=cmd_classify)


def _add_policy_parser(commands) -> None:
    policy = commands.add_parser("policy", help="check or show an SLA policy")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    check = policy_commands.add_parser(
        "check", help="report every problem in a policy file (or triage lexicon file) and the config's extra lexicons, with its line"
    )
    check.add_argument("file")
    show = policy_commands.add_parser("show", help="print the policy in force")
    show.add_argument("--policy", metavar="FILE")
    show.add_argument("--toml", action="store_true", help="print it as TOML, to copy and edit")
    policy.set_defaults(handler=cmd_policy)


def _add_outbox_parser(commands) -> None:
    out = commands.add_parser("outbox", help="replies waiting for a connector: list, export as .eml, mark sent/failed")
    out_commands = out.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    listing = out_commands.add_parser("list", help="replies waiting to be sent")
    listing.add_argument("db", nargs="?")
    listing.add_argument("--json", action="store_true", help="machine-readable, for connectors")
    listing.add_argument("--status", choices=("queued", "sent", "failed", "all"), default="queued")
    export = out_commands.add_parser("export", help="write queued replies as .eml files for a mail transfer agent")
    export.add_argument("directory")
    export.add_argument("--db")
    export.add_argument("--format", choices=("eml",), default="eml")
    export.add_argument("--sender", default="support@example.com", help="the From address (your support address)")
    marking = out_commands.add_parser("mark", help="record a connector's result")
    marking.add_argument("id", type=int)
    marking.add_argument("status", choices=("sent", "failed"))
    marking.add_argument("--reason", help="why it failed (shown on the ticket)")
    marking.add_argument("--db")
    marking.add_argument("--wait", type=whole(0, 86_400, "seconds to wait for the write lock"), default=600,
                         help="seconds to wait while another process (a long import) holds the database (default 600)")
    out.set_defaults(handler=cmd_outbox)


def _add_health_parser(commands) -> None:
    health = commands.add_parser("health", help="the account-health check-up (screen, or --json for scripts)")
    _common(health)
    health.add_argument("--json", action="store_true", help="print the report as JSON (docs/health.md)")
    health.add_argument("--days", type=whole(1, MAX_HEALTH_DAYS, "days in the window"), default=28,
                        help=f"the window in days, 1 to {MAX_HEALTH_DAYS} (default 28)")
    health.add_argument("--channel", help="only this channel")
    health.add_argument("--sample", type=whole(0, 1000, "tickets to sample"), default=10,
                        help="high-risk tickets to sample for review (default 10)")
    health.add_argument("--zone", type=zone_name, help="whose days to count (default: timezone in the config file, else UTC)")
    health.add_argument("--agent", default=None, help=argparse.SUPPRESS)
    health.add_argument("--theme", default=None, help=argparse.SUPPRESS)
    health.set_defaults(handler=cmd_health)


def _add_alerts_parser(commands) -> None:
    alerts = commands.add_parser("alerts", help="evaluate the alert rules; exit 1 when any fires (for cron)")
    _common(alerts)
    alerts.add_argument("--json", action="store_true")
    alerts.add_argument("--rules", metavar="FILE", help="a TOML file of [[alerts]] (default: the config file's)")
    alerts.set_defaults(handler=cmd_alerts)


def _add_import_parser(commands) -> None:
    importing = commands.add_parser("import", help="import order reports, Shopify exports, e-mail, tracking and ticket files")
    importing.add_argument("files", nargs="+", metavar="FILE")
    importing.add_argument("--dry-run", action="store_true", help="check and count, store nothing")
    _import_flags(importing)
    importing.set_defaults(handler=cmd_import)


def _add_watch_parser(commands) -> None:
    watching = commands.add_parser("watch", help="import files dropped into a folder as they arrive")
    watching.add_argument("directory")
    watching.add_argument("--interval", type=seconds, default=0.5, help="seconds between scans (default 0.5)")
    _import_flags(watching)
    watching.set_defaults(handler=cmd_watch)


def _add_serve_parser(commands) -> None:
    serve = commands.add_parser("serve", help="the board (or inbox) in a web browser, for a wall screen")
    _common(serve)
    serve.add_argument("--host", default="localhost", help="address to listen on (default: localhost only)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port, 1-65535 (default 8000)")
    serve.add_argument("--screen", choices=("board", "inbox"), default="board")
    serve.add_argument("--agent", help="whose name the browser's claims and replies carry (required with --screen inbox)")
    serve.add_argument("--max-sessions", type=int, default=4, metavar="N",
                       help="browser tabs at once, one deskui process each (default 4)")
    serve.set_defaults(handler=cmd_serve)


def _add_refresh_parser(commands) -> None:
    refresh = commands.add_parser("refresh", help="triage tickets written by other programs, then exit")
    _common(refresh)
    refresh.set_defaults(handler=cmd_refresh)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="deskui",
        description="A terminal helpdesk that puts the buyer messages threatening your Amazon account health first.",
        epilog="Run `deskui COMMAND --help` for a command's options. With no command, deskui opens the inbox.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_inbox_parser(commands)
    _add_board_parser(commands)
    _add_demo_parser(commands)
    _add_init_parser(commands)
    _add_classify_parser(commands)
    _add_policy_parser(commands)
    _add_outbox_parser(commands)
    _add_health_parser(commands)
    _add_alerts_parser(commands)
    _add_import_parser(commands)
    _add_watch_parser(commands)
    _add_serve_parser(commands)
    _add_refresh_parser(commands)
    _add_sync_parser(commands)
    _add_migrate_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `deskui [DB]` opens the inbox: any first word that is not a command is the database.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "inbox")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (StoreError, UserError) as error:
        return _fail(str(error))
    except sqlite3.OperationalError as error:
        target = _db_path(getattr(args, "db", None))
        message = database_trouble(shown_target(target), error) or describe_failure(error, target)
        if message is None:
            raise
        return _fail(message, 1)
    except PolicyError as error:
        for problem in error.problems:
            warn(problem)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `deskui classify | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 0
