"""The [[mailboxes]] and [smtp] tables: the issue's example parses; every mistake is one line with
its file, line and field; passwords never come from the file nor show in a repr."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deskui.connect.config import MailConfigError, Secret, SecretError, load_mail_config

EXAMPLE = '''agent = "ana"

[[mailboxes]]
name = "shop"
host = "imap.example.com"
port = 993
security = "tls"              # "tls" (default), "starttls", or "none" (refused unless host is loopback)
user = "support@shop.example"
password_env = "DESKUI_IMAP_PASSWORD"   # or password_command = "pass show shop/imap"
folders = ["INBOX"]

[smtp]
host = "smtp.example.com"
port = 587
security = "starttls"
sender = "support@shop.example"         # the address registered with the marketplaces
'''


def problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(MailConfigError) as caught:
        load_mail_config(path)
    return [line.replace(f"{path}:", "FILE:") for line in caught.value.problems]


def test_the_issues_example_parses(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE)
    cfg = load_mail_config(path)
    box = cfg.mailboxes[0]
    assert (box.name, box.host, box.port, box.security, box.user, box.folders) == (
        "shop", "imap.example.com", 993, "tls", "support@shop.example", ["INBOX"])
    assert box.secret == Secret(env="DESKUI_IMAP_PASSWORD") and box.verify_tls
    assert box.seller_addresses == ["support@shop.example"]
    assert (cfg.smtp.host, cfg.smtp.port, cfg.smtp.security, cfg.smtp.sender) == ("smtp.example.com", 587, "starttls", "support@shop.example")
    assert cfg.smtp.user is None and cfg.smtp.verify_tls


def test_no_file_means_nothing_configured(tmp_path):
    cfg = load_mail_config(tmp_path / "absent.toml")
    assert cfg.mailboxes == [] and cfg.smtp is None


def test_clear_text_is_refused_off_loopback_and_a_password_in_the_file_is_refused(tmp_path):
    text = EXAMPLE.replace('security = "tls"', 'security = "none"').replace(
        'password_env = "DESKUI_IMAP_PASSWORD"', 'password = "hunter2"')
    found = problems(tmp_path, text)
    assert "FILE:9: mailboxes[0].password: passwords are not kept in the config file; use password_env or password_command" in found
    assert any(line.startswith("FILE:7: mailboxes[0].security: \"none\" sends the password in clear text") for line in found)
    assert all("hunter2" not in line for line in found)


def test_loopback_may_go_without_tls(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace('host = "imap.example.com"', 'host = "127.0.0.1"').replace('security = "tls"', 'security = "none"'))
    assert load_mail_config(path).mailboxes[0].security == "none"


@pytest.mark.parametrize("change, expected", [
    (('port = 993', 'port = "993"'), "FILE:6: mailboxes[0].port: must be a port number 1-65535, not '993'"),
    (('security = "tls" ', 'security = "ssl" '), "FILE:7: mailboxes[0].security: 'ssl' is not one of tls, starttls, none"),
    (('folders = ["INBOX"]', 'folders = "INBOX"'), "FILE:10: mailboxes[0].folders: must be a non-empty list of strings, e.g. [\"INBOX\"]"),
    (('folders = ["INBOX"]', 'folder = ["INBOX"]'), "FILE:10: mailboxes[0].folder: unknown field (expected one of name, host, port, "
     "security, user, password_env, password_command, folders, sent_folder, verify_tls, ca_file, seller_addresses, "
     "default_channel, poll_seconds)"),
    (('sender = "support@shop.example"', 'sender = "support"'),
     "FILE:16: smtp.sender: 'support' is not an e-mail address (the one registered with the marketplaces)"),
    (('name = "shop"\n', ''), "FILE:3: mailboxes[0].name: missing"),
    (('agent = "ana"', 'agent = "ana'), None),
])
def test_each_mistake_names_its_line_and_field(tmp_path, change, expected):
    found = problems(tmp_path, EXAMPLE.replace(*change))
    if expected is None:
        assert len(found) == 1 and found[0].startswith("FILE:1: toml: ")
    else:
        assert expected in found


def test_a_password_is_read_from_the_environment_or_a_command_and_never_shown(monkeypatch):
    monkeypatch.setenv("DESKUI_T_PW", "hunter2")
    secret = Secret(env="DESKUI_T_PW")
    assert secret.read("mailbox shop") == "hunter2" and "hunter2" not in repr(secret)
    assert Secret(command=f"{sys.executable} -c \"print('from-command')\"").read("smtp") == "from-command"
    with pytest.raises(SecretError, match="mailbox shop: password_env: the variable DESKUI_T_UNSET is not set"):
        Secret(env="DESKUI_T_UNSET").read("mailbox shop")
    with pytest.raises(SecretError, match="exited 3"):
        Secret(command=f"{sys.executable} -c \"raise SystemExit(3)\"").read("smtp")


def test_sync_reports_config_problems_without_a_traceback(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.replace('security = "tls"', 'security = "none"'))
    done = subprocess.run([sys.executable, "-m", "deskui", "sync", "--once", "--config", str(config), "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith(f"{config}:7: mailboxes[0].security: ") and "Traceback" not in done.stderr
