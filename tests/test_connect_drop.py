"""The real dovecot behind a small TCP proxy that can act at an exact point of the conversation.

* A server that drops the connection mid-fetch: the proxy closes the first session's socket after
  a given number of bytes from the server, in the middle of a FETCH. The loop reports it in one
  line, keeps serving the other mailbox, reconnects, and every message ends up stored exactly once.
* Mail that lands while a fetched batch is being stored: the proxy appends a message just before
  it passes the server's FETCH completion on. It is stored at once, not at the next IDLE renewal.
"""

from __future__ import annotations

import signal
import socket
import threading

import pytest

from deskui.store import connect
from tests.connect_servers import Dovecot, need_dovecot, run_sync, shopify_mail, start_sync, wait_for, write_config

pytestmark = pytest.mark.backends

MESSAGES = 600        # three fetch chunks of 200
CUT_AFTER = 90_000    # bytes from the server: past the login and the first chunk, inside the second


class DroppingProxy:
    """127.0.0.1:``port`` -> 127.0.0.1:``target``. Connection number ``cut_connection`` (0: the
    first) is closed both ways once ``cut_after`` bytes came from the server; every other one
    passes everything."""

    def __init__(self, target: int, cut_after: int | None, cut_connection: int = 0, on_server_data=None):
        self.target, self.cut_after, self.cut_connection = target, cut_after, cut_connection
        self.on_server_data = on_server_data  # called with each block from the server before it is passed on
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.cut = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, upstream]
            limit = self.cut_after if self.connections == self.cut_connection else None
            self.connections += 1
            threading.Thread(target=self._pump, args=(client, upstream, None, (client, upstream)), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, limit, (client, upstream), self.on_server_data),
                             daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, limit: int | None, pair, hook=None) -> None:
        passed = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                if hook is not None:
                    hook(data)
                if limit is not None and passed + len(data) >= limit:
                    sink.sendall(data[:limit - passed])
                    self.cut.set()
                    for end in pair:  # the connection drops: no goodbye, half a FETCH response
                        end.shutdown(socket.SHUT_RDWR)
                        end.close()
                    return
                sink.sendall(data)
                passed += len(data)
        except OSError:
            return

    def close(self) -> None:
        # shutdown, not only close: a thread blocked in accept() or recv() wakes only for that
        for end in [self.listener, *self.sockets]:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


@pytest.fixture
def imap():
    server = Dovecot(need_dovecot())
    yield server
    server.stop()


def rows(db, sql, *params):
    conn = connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def two_mailboxes(path, imap, proxy_port: int):
    """``shop`` (INBOX) through the proxy, ``eu-shop`` (folder EU of the same account) directly."""
    config = write_config(path, imap, None)
    text = config.read_text()
    shop = text.replace(f"port = {imap.port}", f"port = {proxy_port}")
    eu = text.replace('name = "shop"', 'name = "eu-shop"').replace('folders = ["INBOX"]', 'folders = ["EU"]')
    config.write_text(shop + "\n" + eu)
    return config


def fill(imap) -> None:
    client = imap.client()
    try:
        client.create_folder("EU")
        for n in range(MESSAGES):
            client.append("INBOX", shopify_mail(n))
        client.append("EU", shopify_mail(5000))
    finally:
        client.logout()


def test_a_dropped_connection_mid_fetch_is_one_line_the_other_mailbox_goes_on_and_nothing_is_doubled(imap, tmp_path, db_target):
    db = db_target
    fill(imap)
    proxy = DroppingProxy(imap.port, CUT_AFTER)
    config = two_mailboxes(tmp_path / "config.toml", imap, proxy.port)
    log = tmp_path / "sync.log"
    process = start_sync(db, config, log)
    try:
        wait_for(proxy.cut.is_set, 120, what="the proxy to drop the first connection mid-fetch")
        # the other mailbox is served all along: its mail, and new mail announced by IDLE
        wait_for(lambda: rows(db, "SELECT count(*) FROM messages WHERE external_id = '<buyer-5000@example.net>'") == [(1,)],
                 120, what="eu-shop's mail")
        imap.append(shopify_mail(5001), folder="EU")
        wait_for(lambda: rows(db, "SELECT count(*) FROM messages WHERE external_id = '<buyer-5001@example.net>'") == [(1,)],
                 120, what="eu-shop's new mail after the drop")
        # shop reconnects and reads on from its last committed UID
        wait_for(lambda: rows(db, "SELECT last_uid FROM mailbox_folders WHERE mailbox = 'shop'") == [(MESSAGES,)], 120,
                 what="shop to read its whole INBOX after reconnecting")
        imap.append(shopify_mail(MESSAGES))
        wait_for(lambda: rows(db, "SELECT last_uid FROM mailbox_folders WHERE mailbox = 'shop'") == [(MESSAGES + 1,)], 120,
                 what="shop to see new mail after reconnecting")
        wait_for(lambda: rows(db, "SELECT connected, error FROM mailboxes WHERE name = 'shop'") == [(1, None)], 60,
                 what="shop's error to clear once it synced again")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        proxy.close()
    assert proxy.connections >= 2
    total = MESSAGES + 3
    assert rows(db, "SELECT count(*), count(DISTINCT external_id) FROM messages") == [(total, total)]
    assert rows(db, "SELECT count(*) FROM tickets") == [(total,)]
    output = log.read_text()
    failures = [line for line in output.splitlines() if line.startswith("mailbox shop:") and "fetched" not in line]
    assert len(failures) == 1, output
    assert failures[0].startswith("mailbox shop: connection lost")
    assert "Traceback" not in output
    assert not [line for line in output.splitlines() if line.startswith("mailbox eu-shop:") and "fetched" not in line], output


def test_once_a_drop_mid_fetch_exits_1_naming_the_mailbox_and_the_next_run_stores_the_rest_once(imap, tmp_path, db_target):
    db = db_target
    fill(imap)
    proxy = DroppingProxy(imap.port, CUT_AFTER)
    try:
        config = two_mailboxes(tmp_path / "config.toml", imap, proxy.port)
        first = run_sync(db, config)
        assert first.returncode == 1
        [line] = first.stderr.strip().splitlines()
        assert line.startswith(f"deskui: mailbox shop: connection lost with 127.0.0.1:{proxy.port} reading folder 'INBOX' ("), first.stderr
        assert line.endswith("); what was stored is kept and the next try reads on from there")
        assert "mailbox eu-shop: fetched 1 new message(s)" in first.stdout
        committed = rows(db, "SELECT last_uid FROM mailbox_folders WHERE mailbox = 'shop'")[0][0]
        assert 0 < committed < MESSAGES  # the chunks before the drop are kept, the one cut off is not
        assert rows(db, "SELECT count(*) FROM messages") == [(committed + 1,)]
        second = run_sync(db, config)
        assert second.returncode == 0, second.stderr
        assert f"mailbox shop: fetched {MESSAGES - committed} new message(s)" in second.stdout
    finally:
        proxy.close()
    total = MESSAGES + 1
    assert rows(db, "SELECT count(*), count(DISTINCT external_id) FROM messages") == [(total, total)]


def test_mail_that_lands_while_a_batch_is_stored_is_fetched_at_once_not_at_the_next_idle_renewal(imap, tmp_path, db_target):
    db = db_target
    imap.append(shopify_mail(1))
    landed = threading.Event()

    def land_during_the_fetch(data: bytes) -> None:
        # the first FETCH is done on the server; the client has not read its answer yet
        if b"OK Fetch completed" in data and not landed.is_set():
            landed.set()
            imap.append(shopify_mail(2))

    proxy = DroppingProxy(imap.port, None, on_server_data=land_during_the_fetch)
    config = write_config(tmp_path / "config.toml", imap, None)
    config.write_text(config.read_text().replace(f"port = {imap.port}", f"port = {proxy.port}"))
    process = start_sync(db, config, tmp_path / "sync.log")
    try:
        wait_for(landed.is_set, 60, what="the first fetch")
        # IDLE_RENEW_SECONDS (60) would find it too; well before that means it was not left to it
        wait_for(lambda: rows(db, "SELECT count(*) FROM messages") == [(2,)], 30,
                 what="the mail that landed during the fetch")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        proxy.close()
    assert rows(db, "SELECT last_uid FROM mailbox_folders") == [(2,)]
