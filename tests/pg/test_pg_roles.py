"""The roles of docs/postgres.md on a real server: an owner that makes and upgrades the tables,
agents in a group role that read and write rows but cannot change the tables."""

from __future__ import annotations

import psycopg
import pytest

from deskui.clock import FixedClock
from deskui.store import StoreError
from deskui.store.postgres import connect, schema
from deskui.store.postgres.feed import ChangeFeed, claim
from tests.conftest import NOW
from tests.connect_servers import wait_for

# The statements of docs/postgres.md, "One role per agent" (passwords aside).
SERVER_SETUP = """
CREATE ROLE deskui_owner LOGIN PASSWORD 'owner-pw';
CREATE ROLE deskui_agents NOLOGIN;
CREATE ROLE ana LOGIN PASSWORD 'ana-pw' IN ROLE deskui_agents;
CREATE DATABASE {db} OWNER deskui_owner;
"""
DATABASE_SETUP = """
GRANT CONNECT, TEMPORARY ON DATABASE {db} TO deskui_agents;
GRANT USAGE ON SCHEMA public TO deskui_agents;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO deskui_agents;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO deskui_agents;
ALTER DEFAULT PRIVILEGES FOR ROLE deskui_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO deskui_agents;
ALTER DEFAULT PRIVILEGES FOR ROLE deskui_owner IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO deskui_agents;
"""


@pytest.fixture
def team(pg_server):
    db = "team_desk"
    with pg_server.admin() as admin:
        for statement in SERVER_SETUP.format(db=db).strip().splitlines():  # CREATE DATABASE: alone, outside a transaction
            admin.execute(statement)
    with psycopg.connect(pg_server.url(db), autocommit=True) as conn:
        # PostgreSQL 15 lets only the owner create in public: the owner must own the schema too.
        conn.execute("ALTER SCHEMA public OWNER TO deskui_owner")
        conn.execute(DATABASE_SETUP.format(db=db))
    yield db
    pg_server.drop_database(db)
    with pg_server.admin() as admin:
        admin.execute("DROP ROLE ana; DROP ROLE deskui_agents; DROP ROLE deskui_owner")


def test_an_agent_role_works_the_queue_and_feeds_the_change_feed(pg_server, team):
    owner = connect(pg_server.url(team, user="deskui_owner", password="owner-pw"), create=True)
    feed = ChangeFeed(owner)
    agent = connect(pg_server.url(team, user="ana", password="ana-pw"))
    ticket = agent.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 's', 'x') RETURNING id").fetchone()[0]
    agent.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (%s, 'in', 'b', 'x')", (ticket,))
    assert claim(agent, FixedClock(NOW), ticket, "ana") is None
    assert wait_for(feed.poll, what="the agent's writes").ticket_ids == {ticket}
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        agent.execute("DROP TABLE tickets")


def test_an_agent_role_cannot_upgrade_the_tables_and_says_who_can(pg_server, team):
    owner = psycopg.connect(pg_server.url(team, user="deskui_owner", password="owner-pw"), autocommit=True)
    owner.execute(schema.VERSION_TABLE_SQL)
    owner.execute(schema.MIGRATIONS[0])
    owner.execute("INSERT INTO deskui_schema_version VALUES (1, 'x')")
    with pytest.raises(StoreError) as caught:
        connect(pg_server.url(team, user="ana", password="ana-pw"))
    assert "which this role may not do" in str(caught.value) and "as the database's owner" in str(caught.value)
    connect(pg_server.url(team, user="deskui_owner", password="owner-pw")).close()  # the owner upgrades it
    connect(pg_server.url(team, user="ana", password="ana-pw")).close()


def test_an_agent_role_imports_mail_and_triages_it(pg_server, team):
    # COPY of the rows, statistics the role may not gather (a warning, not an error: the owner's
    # tables), triage's batch through a temporary table: all with an agent's grants.
    from deskui.ingest import import_file
    from deskui.policy import default_policy
    from deskui.store import connect as store_connect
    from tests.test_ingest_mail import FIXTURES, SELLER

    connect(pg_server.url(team, user="deskui_owner", password="owner-pw"), create=True).close()
    store_connect(pg_server.url(team, user="deskui_owner", password="owner-pw")).close()  # and SQLite's functions
    agent = store_connect(pg_server.url(team, user="ana", password="ana-pw"))
    summary = import_file(agent, FIXTURES / "mail/inbox.mbox", policy=default_policy(), now=NOW, seller_addresses=SELLER)
    assert summary.stored and summary.counts["tickets"]["added"] > 0
    untriaged, triaged = agent.execute("SELECT count(*) FILTER (WHERE needs_triage = 1), count(tier) FROM tickets").fetchone()
    assert untriaged == 0 and triaged == summary.counts["tickets"]["added"]
