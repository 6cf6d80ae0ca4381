"""The schema: a public contract for every program that reads or writes a deskui file.

Documented in docs/schema.md. Versioned with ``PRAGMA user_version``: each entry of ``MIGRATIONS``
takes a file from version N to N+1 and never changes once released, so a file written by any
older deskui upgrades in place.
"""

from __future__ import annotations

APPLICATION_ID = 0x6465736B  # "desk": marks the file as ours before any table is read

# Tables whose row changes land in the change feed, and the id column each one reports.
FED_TABLES = {
    "tickets": "id",
    "messages": "ticket_id",
    "orders": "id",
    "tags": "ticket_id",
    "drafts": "ticket_id",
    "outbox": "ticket_id",
}


SORT_RANK = "coalesce(tier_rank, -1)"
SORT_DUE = "coalesce(CASE WHEN status = 'open' THEN due_at END, '9999')"


def _feed_triggers() -> str:
    statements = []
    for table, key in FED_TABLES.items():
        for operation, row in (("insert", "new"), ("update", "new"), ("delete", "old")):
            statements.append(
                f"""
CREATE TRIGGER {table}_feed_{operation} AFTER {operation.upper()} ON {table}
BEGIN
    INSERT INTO changes (table_name, row_id, ticket_id, operation)
    VALUES ('{table}', {row}.rowid, {row + '.' + key if table != 'orders' else 'NULL'}, '{operation}');
END;"""
            )
    return "\n".join(statements)


SCHEMA_V1 = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT,
    email TEXT,
    country TEXT,
    created_at TEXT,
    UNIQUE (channel, external_id)
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    order_number TEXT NOT NULL,
    marketplace TEXT,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    purchased_at TEXT,
    status TEXT,
    fulfillment TEXT,            -- FBA, FBM, MCF or SELF (a store's own shipping)
    ship_by TEXT,
    deliver_by TEXT,
    shipped_at TEXT,
    delivered_at TEXT,
    carrier TEXT,
    tracking_number TEXT,
    currency TEXT,
    total REAL,
    refunded_amount REAL NOT NULL DEFAULT 0,
    return_status TEXT,          -- requested, in_transit, received, refunded, rejected
    feedback_rating INTEGER,     -- 1..5 seller feedback the buyer left
    feedback_text TEXT,
    claim_status TEXT,           -- A-to-z claim: open, granted, denied, withdrawn
    chargeback INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT,
    UNIQUE (channel, order_number)
);
CREATE INDEX orders_customer ON orders (customer_id, purchased_at);

CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    sku TEXT,
    asin TEXT,
    title TEXT,
    quantity INTEGER NOT NULL DEFAULT 1,
    price REAL
);
CREATE INDEX order_items_order ON order_items (order_id);
CREATE INDEX order_items_asin ON order_items (asin);

CREATE TABLE tracking_events (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    location TEXT,
    description TEXT
);
CREATE INDEX tracking_events_order ON tracking_events (order_id, at);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    marketplace TEXT,
    external_id TEXT,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    order_number TEXT,
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'pending', 'snoozed', 'solved')),
    assignee TEXT,
    tier TEXT,
    tier_rank INTEGER,
    category TEXT,
    evidence TEXT,               -- JSON list of {{category, term, field, text}}
    created_at TEXT NOT NULL,
    awaiting_reply_since TEXT,   -- oldest buyer message without a substantive reply
    marketplace_waiting_since TEXT, -- oldest buyer message without any reply (auto-ack counts)
    first_response_at TEXT,
    sla_due_at TEXT,             -- internal SLA (first/next response)
    marketplace_due_at TEXT,     -- the marketplace's own deadline (Amazon 24 h)
    resolution_due_at TEXT,
    due_at TEXT,                 -- the earliest of the three: orders the inbox
    due_kind TEXT,               -- first_response, next_response, resolution, marketplace
    target_minutes INTEGER,      -- the target of the clock behind due_at
    paused_at TEXT,              -- set while pending/snoozed: the timers freeze here
    snoozed_until TEXT,
    solved_at TEXT,
    needs_triage INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT,
    UNIQUE (channel, external_id)
);
-- The inbox: open tickets by risk, then by due time, read with keyset pagination. Untriaged rows
-- (no rank yet) sort first; paused tickets and those with no running clock sort last in their
-- tier. The expressions are SORT_RANK and SORT_DUE above, shared with the queries, so SQLite
-- uses these indexes.
CREATE INDEX tickets_inbox ON tickets ({SORT_RANK}, {SORT_DUE}, id) WHERE status != 'solved';
CREATE INDEX tickets_due ON tickets ({SORT_DUE}, id) WHERE status != 'solved';
CREATE INDEX tickets_open_created ON tickets (created_at, id) WHERE status != 'solved';
CREATE INDEX tickets_open_channel ON tickets (channel, {SORT_RANK}, {SORT_DUE}, id) WHERE status != 'solved';
CREATE INDEX tickets_untriaged ON tickets (id) WHERE needs_triage = 1;
CREATE INDEX tickets_assignee ON tickets (assignee, status);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);
CREATE INDEX tickets_order ON tickets (channel, order_number);
CREATE INDEX tickets_created ON tickets (created_at);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    author TEXT,
    body TEXT NOT NULL DEFAULT '',
    sent_at TEXT NOT NULL,
    auto_ack INTEGER NOT NULL DEFAULT 0,
    external_id TEXT,
    raw TEXT
);
CREATE INDEX messages_ticket ON messages (ticket_id, sent_at);
CREATE UNIQUE INDEX messages_external ON messages (ticket_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,          -- opened, claimed, assigned, replied, noted, tagged, snoozed,
                                 -- pending, resumed, solved, reopened, triaged, escalated
    agent TEXT,
    at TEXT NOT NULL,
    detail TEXT                  -- JSON
);
CREATE INDEX events_ticket ON events (ticket_id, at);
CREATE INDEX events_kind_at ON events (kind, at);

CREATE TABLE sla_clocks (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,          -- first_response, next_response, resolution, marketplace
    tier TEXT,
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    stopped_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('met', 'missed')),
    margin_minutes REAL NOT NULL, -- positive: time to spare; negative: how late
    agent TEXT
);
CREATE INDEX sla_clocks_ticket ON sla_clocks (ticket_id);
CREATE INDEX sla_clocks_stopped ON sla_clocks (stopped_at);

CREATE TABLE tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX tags_tag ON tags (tag);

CREATE TABLE drafts (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, agent)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    channel TEXT NOT NULL,
    to_address TEXT,
    subject TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, id);

CREATE TABLE agents (
    name TEXT PRIMARY KEY,
    display_name TEXT,
    active INTEGER NOT NULL DEFAULT 1
);

-- The change feed: every write to a fed table leaves a row here, so another process asks
-- "what changed since sequence N" with one indexed query instead of rereading everything.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_id INTEGER,
    ticket_id INTEGER,
    operation TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
{_feed_triggers()}
"""


# A buyer message written by any program re-opens the question "how urgent is this ticket?":
# deskui's triage pass picks up every row flagged here and recomputes tier and clocks.
INBOUND_TRIGGER = """
CREATE TRIGGER messages_inbound AFTER INSERT ON messages WHEN new.direction = 'in'
BEGIN
    UPDATE tickets SET needs_triage = 1 WHERE id = new.ticket_id AND needs_triage = 0;
END;
"""

# Version 2: presence, so two agents see each other on a ticket before anyone replies twice;
# indexes and columns for the importers and the check-up.
# Rows are heartbeats; a row older than PRESENCE_STALE_SECONDS means the agent left.
SCHEMA_V2 = """
CREATE TABLE presence (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent TEXT NOT NULL,
    activity TEXT NOT NULL CHECK (activity IN ('viewing', 'replying')),
    since TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, agent)
);
CREATE INDEX presence_heartbeat ON presence (heartbeat_at);

-- Importers: threading mail across files, matching tracking files, shipping destinations.
CREATE INDEX messages_external_id ON messages (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX orders_tracking ON orders (tracking_number) WHERE tracking_number IS NOT NULL;
ALTER TABLE orders ADD COLUMN ship_city TEXT;
ALTER TABLE orders ADD COLUMN ship_country TEXT;
ALTER TABLE orders ADD COLUMN ship_postal_code TEXT;
ALTER TABLE orders ADD COLUMN tags TEXT;
-- Every open screen wakes due snoozes on each change; this keeps that an index probe.
CREATE INDEX tickets_snoozed ON tickets (snoozed_until) WHERE status = 'snoozed';
-- The check-up's account-health windows read orders by these dates.
CREATE INDEX orders_purchased ON orders (purchased_at);
CREATE INDEX orders_ship_by ON orders (ship_by);
CREATE INDEX orders_shipped ON orders (shipped_at);
CREATE TRIGGER presence_feed_insert AFTER INSERT ON presence
BEGIN
    INSERT INTO changes (table_name, row_id, ticket_id, operation) VALUES ('presence', new.rowid, new.ticket_id, 'insert');
END;
CREATE TRIGGER presence_feed_update AFTER UPDATE OF activity ON presence
BEGIN
    INSERT INTO changes (table_name, row_id, ticket_id, operation) VALUES ('presence', new.rowid, new.ticket_id, 'update');
END;
CREATE TRIGGER presence_feed_delete AFTER DELETE ON presence
BEGIN
    INSERT INTO changes (table_name, row_id, ticket_id, operation) VALUES ('presence', old.rowid, old.ticket_id, 'delete');
END;
"""

# Version 3: one SLA truth. Each running clock keeps the instants its state changes at, computed
# once over its calendar by triage; every screen and report compares them with "now" and computes
# nothing else. ``response_outcome`` copies the last stopped response clock's outcome from
# sla_clocks, so a ticket with no running clock shows met or missed as recorded.
# Open tickets are flagged for triage: the next refresh (the inbox, `deskui refresh`) fills the
# instants in.
SCHEMA_V3_STATE_INSTANTS = """
ALTER TABLE tickets ADD COLUMN at_risk_at TEXT;
ALTER TABLE tickets ADD COLUMN imminent_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_at_risk_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_imminent_at TEXT;
ALTER TABLE tickets ADD COLUMN marketplace_at_risk_at TEXT;
ALTER TABLE tickets ADD COLUMN marketplace_imminent_at TEXT;
ALTER TABLE tickets ADD COLUMN resolution_at_risk_at TEXT;
ALTER TABLE tickets ADD COLUMN resolution_imminent_at TEXT;
ALTER TABLE tickets ADD COLUMN response_outcome TEXT CHECK (response_outcome IN ('met', 'missed'));
UPDATE tickets SET response_outcome = (
    SELECT c.outcome FROM sla_clocks c
    WHERE c.ticket_id = tickets.id AND c.kind IN ('first_response', 'next_response')
    ORDER BY c.stopped_at DESC, c.id DESC LIMIT 1
);
UPDATE tickets SET needs_triage = 1 WHERE status != 'solved' AND needs_triage = 0;
"""

# Version 4: live mail (`deskui sync`, docs/mail.md): where each IMAP folder was read up to, each mailbox's
# state for people, and the SMTP delivery state of outbox rows. `outbox.status` keeps its three
# values (the connectors' contract, docs/outbox.md); the delivery's own steps live in new columns,
# so a row being sent is still 'queued' to everyone else until the server accepted it.
SCHEMA_MAIL_SYNC = """
CREATE TABLE mailboxes (
    name TEXT PRIMARY KEY,
    connected INTEGER NOT NULL DEFAULT 0,
    idle INTEGER NOT NULL DEFAULT 0,       -- the server pushes new mail (IMAP IDLE); else polled
    last_sync_at TEXT,                     -- the last fetch that completed
    error TEXT,                            -- one line; NULL once a sync succeeds again
    error_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE mailbox_folders (
    mailbox TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER,
    last_uid INTEGER NOT NULL DEFAULT 0,   -- committed with the messages it covers
    fetched INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    last_rejection TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (mailbox, folder)
);
ALTER TABLE outbox ADD COLUMN smtp_state TEXT CHECK (smtp_state IN ('sending', 'retry', 'sent', 'failed'));
ALTER TABLE outbox ADD COLUMN message_id_header TEXT;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
CREATE UNIQUE INDEX outbox_message_id_header ON outbox (message_id_header) WHERE message_id_header IS NOT NULL;
-- Files that came with buyer mail (photos of damaged goods): kept in the database itself, so one
-- file holds everything and a backup of it is complete. A message is at most 25 MB as fetched.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);
"""

# Version 5: fast reads at a million open tickets. A running clock (open, not paused) changes state only at
# its stored instants: one partial index per instant makes "which clocks crossed an instant in the
# last second" three short range scans, so the inbox keeps its header counts instead of
# recounting every open ticket (store/inbox.py KeptCounts).
SCHEMA_V5_FAST_READS = """
CREATE INDEX tickets_running_at_risk ON tickets (at_risk_at) WHERE status != 'solved' AND paused_at IS NULL;
CREATE INDEX tickets_running_imminent ON tickets (imminent_at) WHERE status != 'solved' AND paused_at IS NULL;
CREATE INDEX tickets_running_due ON tickets (due_at) WHERE status != 'solved' AND paused_at IS NULL;
"""

# The check-up's range scans read the table row behind every index entry (110k clocks, 92k takes,
# 150k orders on the 100k demo file). Three insert-mostly indexes are widened, under their own
# names, to cover those reads, and orders get one for the ticket -> order fulfilment join; the
# tickets table (rewritten on every triage) gets none. Demo file, one thread: takes 0.30 -> 0.18 s,
# the order counts 0.47 -> 0.32 s, the marketplace clocks 0.12 -> 0.05 s (docs/performance.md).
SCHEMA_HEALTH_COVERING = """
DROP INDEX events_kind_at;
CREATE INDEX events_kind_at ON events (kind, at, ticket_id, agent);
DROP INDEX sla_clocks_stopped;
CREATE INDEX sla_clocks_stopped ON sla_clocks (stopped_at, kind, outcome, tier, ticket_id);
DROP INDEX orders_purchased;
CREATE INDEX orders_purchased ON orders (purchased_at, channel, fulfillment, feedback_rating, claim_status, chargeback);
CREATE INDEX orders_fulfillment ON orders (channel, order_number, fulfillment);
"""

# Files attached to a reply (docs/mail.md): while the reply is a draft they are rows of that
# (ticket, agent) draft, kept like its text, so closing the screen or a crash loses none. The
# transaction that inserts the agent's reply moves them onto it, whatever program sends it: they
# become that message's ``attachments``, the parts `deskui sync` sends.
SCHEMA_REPLY_ATTACHMENTS = """
CREATE TABLE draft_attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX draft_attachments_draft ON draft_attachments (ticket_id, agent);
CREATE TRIGGER draft_attachments_go_with_reply AFTER INSERT ON messages
WHEN new.direction = 'out' AND new.author IS NOT NULL
BEGIN
    INSERT INTO attachments (message_id, name, content_type, size, content)
        SELECT new.id, name, content_type, size, content FROM draft_attachments
        WHERE ticket_id = new.ticket_id AND agent = new.author ORDER BY id;
    DELETE FROM draft_attachments WHERE ticket_id = new.ticket_id AND agent = new.author;
END;
"""

# The check-up's clock read (``store.metrics.clock_rows``) also wants each clock's agent and start:
# with them in the stopped-time index it never visits the sla_clocks rows (100k demo file, one
# thread, idle machine: clock_rows 550 -> 475 ms; the index builds in 0.4 s there).
SCHEMA_HEALTH_CLOCKS = """
DROP INDEX sla_clocks_stopped;
CREATE INDEX sla_clocks_stopped ON sla_clocks (stopped_at, kind, outcome, tier, ticket_id, agent, started_at);
"""

# Inbox search (store/search.py): substring search over message text, ticket subject and order
# number, and the customer's name, from FTS5 trigram indexes. Contentless (the text is not stored
# twice) and fed the ASCII-lowered text with a case-sensitive tokenizer, so a match is exactly
# LIKE's (ASCII case folding only, as SQLite's LIKE and lower() fold). A message's index rowid is
# ticket_id * 2^32 + id: a match is a ticket id with no lookup in messages (that lookup read most
# of the messages table for a common word).
# Writes never touch the FTS tables: FTS5 of SQLite 3.40.1 leaves a connection failing with
# 'disk is full' after a transaction that wrote to it hit a full disk, even once there is room
# (commit ec3cc68 went back to LIKE for that). A trigger only notes the row in search_pending
# (with the text the index holds for it, if it holds any: a contentless index needs it to forget
# a row); ``search.index_pending`` folds those rows in on a connection of its own, in short
# transactions, and a search reads pending rows by LIKE. So this migration is quick at any size:
# it notes every row; the index is built after it, in batches, resumed wherever it stopped.
SCHEMA_SEARCH = """
CREATE VIRTUAL TABLE search_messages USING fts5(body, content = '', tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE search_tickets USING fts5(subject, order_number, content = '', tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE search_customers USING fts5(name, content = '', tokenize = 'trigram case_sensitive 1');
CREATE TABLE search_pending (
    kind TEXT NOT NULL,          -- 'm' messages, 't' tickets, 'c' customers
    row_id INTEGER NOT NULL,
    indexed INTEGER NOT NULL,    -- 1: the index holds old_a, old_b for this row (lower-cased there)
    old_a TEXT,
    old_b,                       -- a message's ticket_id; a ticket's order_number
    PRIMARY KEY (kind, row_id)
) WITHOUT ROWID;
INSERT INTO search_pending (kind, row_id, indexed) SELECT 'm', id, 0 FROM messages;
INSERT INTO search_pending (kind, row_id, indexed) SELECT 't', id, 0 FROM tickets;
INSERT INTO search_pending (kind, row_id, indexed) SELECT 'c', id, 0 FROM customers;
-- OR IGNORE keeps a row's first note since the index last read it: that one says what the index holds.
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
BEGIN
    INSERT OR IGNORE INTO search_pending (kind, row_id, indexed) VALUES ('m', new.id, 0);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body, ticket_id ON messages
WHEN old.body IS NOT new.body OR old.ticket_id IS NOT new.ticket_id
BEGIN
    INSERT OR IGNORE INTO search_pending VALUES ('m', old.id, 1, old.body, old.ticket_id);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
BEGIN
    INSERT OR IGNORE INTO search_pending VALUES ('m', old.id, 1, old.body, old.ticket_id);
END;
CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets
BEGIN
    INSERT OR IGNORE INTO search_pending (kind, row_id, indexed) VALUES ('t', new.id, 0);
END;
CREATE TRIGGER tickets_search_update AFTER UPDATE OF subject, order_number ON tickets
WHEN old.subject IS NOT new.subject OR old.order_number IS NOT new.order_number
BEGIN
    INSERT OR IGNORE INTO search_pending VALUES ('t', old.id, 1, old.subject, old.order_number);
END;
CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets
BEGIN
    INSERT OR IGNORE INTO search_pending VALUES ('t', old.id, 1, old.subject, old.order_number);
END;
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
BEGIN
    INSERT OR IGNORE INTO search_pending (kind, row_id, indexed) VALUES ('c', new.id, 0);
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF name ON customers WHEN old.name IS NOT new.name
BEGIN
    INSERT OR IGNORE INTO search_pending VALUES ('c', old.id, 1, old.name, NULL);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
BEGIN
    INSERT OR IGNORE INTO search_pending VALUES ('c', old.id, 1, old.name, NULL);
END;
"""

# Every open ticket's SLA state, per tier, is ``sla.STATE_SQL`` over these columns: a partial index
# holding exactly them lets the board's first look (store/live_board.py first_look) and the inbox's
# full count read 1M open tickets from the index, not the table (syn1m, warm: 1.3 -> 0.6 s). One
# more index the tickets table keeps up on every write: measured in docs/performance.md.
SCHEMA_BOARD_STATES = """
CREATE INDEX tickets_open_states ON tickets (tier, due_at, paused_at, imminent_at, at_risk_at, response_outcome)
    WHERE status != 'solved';
"""

# The inbox's `b` (breached or imminent, store/inbox.py): its count is three index ranges, the
# running tickets by their imminent and due instants (SCHEMA_V3_STATE_INSTANTS) and the paused
# ones whose due came before their pause by this index; without it the paused third read every
# paused open ticket's row (1M demo file: the count 0.58-0.82 s, now 0.07 s).
SCHEMA_URGENT = """
CREATE INDEX tickets_paused_due ON tickets (due_at, paused_at) WHERE status != 'solved' AND paused_at IS NOT NULL;
"""

# Version 12 is PostgreSQL's: its change feed fires once per statement (store/postgres/schema.py,
# SCHEMA_FEED_PER_STATEMENT). SQLite has only row triggers; its file changes nothing but the number.
SCHEMA_FEED_PER_STATEMENT = ""

# Released migrations never change: add a new entry for every schema change.
MIGRATIONS: list[str] = [
    SCHEMA_V1 + INBOUND_TRIGGER, SCHEMA_V2, SCHEMA_V3_STATE_INSTANTS, SCHEMA_MAIL_SYNC, SCHEMA_V5_FAST_READS,
    SCHEMA_HEALTH_COVERING,
    SCHEMA_REPLY_ATTACHMENTS,
    SCHEMA_HEALTH_CLOCKS,
    SCHEMA_SEARCH,
    SCHEMA_BOARD_STATES,
    SCHEMA_URGENT,
    SCHEMA_FEED_PER_STATEMENT,
]
SCHEMA_VERSION = len(MIGRATIONS)
