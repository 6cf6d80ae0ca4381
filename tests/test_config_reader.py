"""The one config reader (deskui/configfile.py), once for every section it reads: a wrong type, a
missing field and an unknown key each come out as ``FILE:LINE: field: what is wrong``."""

from __future__ import annotations

import pytest

from deskui.config import ConfigError, load_config
from deskui.configfile import ConfigFileError, Document, LineIndex, Reader
from deskui.connect.config import MailConfigError, load_mail_config
from deskui.policy import PolicyError, parse_policy
from deskui.replies.linter import lint_rules_from_toml

TIER = '[[tiers]]\nname = "fast"\nfirst_response = "1h"\n'
ALERT = '[[alerts]]\nname = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = 8\n'
MAILBOX = '[[mailboxes]]\nname = "shop"\nhost = "imap.example.com"\nuser = "a@shop.example"\npassword_env = "PW"\n'
SMTP = '[smtp]\nhost = "smtp.example.com"\nsender = "a@shop.example"\n'


def _policy(path):
    with pytest.raises(PolicyError) as raised:
        parse_policy(path.read_text(), str(path))
    return [str(p) for p in raised.value.problems]


def _lint(path):
    with pytest.raises(PolicyError) as raised:
        lint_rules_from_toml(path.read_text(), str(path))
    return [str(p) for p in raised.value.problems]


def _config(path):
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    return [str(p) for p in raised.value.problems]


def _mail(path):
    with pytest.raises(MailConfigError) as raised:
        load_mail_config(path)
    return raised.value.problems


CASES = [
    # (section, reader, text, the expected problem with FILE for the file's path)
    ("policy", _policy, '[thresholds]\nat_risk = "high"\n' + TIER,
     "FILE:2: thresholds.at_risk: 'high' must be a fraction between 0 and 1, e.g. 0.25"),
    ("policy", _policy, '[[tiers]]\nname = "fast"\n', "FILE:1: tiers[0].first_response: missing"),
    ("policy", _policy, TIER + 'colour = "red"\n', "FILE:4: tiers[0].colour: unknown key"),
    ("lint", _lint, 'agent = "ana"\n[lint.amazon]\nmax_length = "long"\n',
     "FILE:3: lint.amazon.max_length: 'long' must be a positive number of characters"),
    ("lint", _lint, '[lint.amazon]\ndisable = "emoji"\n', "FILE:2: lint.amazon.disable: must be a list of rule names"),
    ("lint", _lint, '[lint.amazon]\ndisabel = []\n', "FILE:2: lint.amazon.disabel: unknown setting (did you mean 'disable'?)"),
    ("alerts", _config, ALERT.replace("threshold = 8", 'threshold = "8"'), "FILE:5: alerts[0].threshold: '8' is not a number"),
    ("alerts", _config, ALERT.replace('metric = "frt_hours"\n', ""), "FILE:1: alerts[0].metric: missing"),
    ("alerts", _config, ALERT + "treshold = 9\n", "FILE:6: alerts[0].treshold: unknown field"),
    ("views", _config, '[[views]]\nname = "x"\nkey = "seven"\n', "FILE:3: views[0].key: must be a number from 1 to 9"),
    ("views", _config, 'agent = "ana"\n\n[[views]]\nkey = 7\n', "FILE:3: views[0].name: missing: every view needs a name"),
    ("views", _config, '[[views]]\nname = "x"\ncolour = "red"\n', "FILE:3: views[0].colour: unknown field"),
    ("macros", _config, '[[macros]]\nname = "x"\ntags = 5\n', "FILE:3: macros[0].tags: must be a list of tags"),
    ("macros", _config, '[[macros]]\ntemplate = "damaged"\n', "FILE:1: macros[0].name: missing: every macro needs a name"),
    ("macros", _config, '[[macros]]\nname = "x"\ncolor = 1\n', "FILE:3: macros[0].color: unknown field"),
    ("keys", _config, '[keys]\n"list.down" = 5\n', "FILE:2: keys.list.down: each entry must be binding-id"),
    ("timezone", _config, 'agent = "ana"\ntimezone = 5\n', "FILE:2: timezone: unknown time zone 5"),
    ("triage", _config, '[triage]\nextra_lexicons = "pl.toml"\n', "FILE:2: triage.extra_lexicons: must be a list of file names"),
    ("triage", _config, '[triage]\nlexicons = []\n', "FILE:2: triage.lexicons: unknown key (expected extra_lexicons)"),
    ("mailboxes", _mail, MAILBOX + 'port = "993"\n', "FILE:6: mailboxes[0].port: must be a port number 1-65535, not '993'"),
    ("mailboxes", _mail, MAILBOX.replace('host = "imap.example.com"\n', ""), "FILE:1: mailboxes[0].host: missing"),
    ("mailboxes", _mail, MAILBOX + 'folder = ["INBOX"]\n', "FILE:6: mailboxes[0].folder: unknown field"),
    ("smtp", _mail, SMTP + 'retry_seconds = "soon"\n', "FILE:4: smtp.retry_seconds: must be a number of seconds"),
    ("smtp", _mail, SMTP.replace('sender = "a@shop.example"\n', ""), "FILE:1: smtp.sender: missing"),
    ("smtp", _mail, SMTP + 'pasword_env = "PW"\n', "FILE:4: smtp.pasword_env: unknown field"),
]


@pytest.mark.parametrize("section, read, text, expected", [case for case in CASES],
                         ids=[f"{case[0]}-{n}" for n, case in enumerate(CASES)])
def test_every_section_names_file_line_and_field(tmp_path, section, read, text, expected):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    found = [problem.replace(str(path), "FILE") for problem in read(path)]
    assert any(problem.startswith(expected) for problem in found), (expected, found)


def test_the_config_reports_every_sections_problems_at_once(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('timezone = "Mars/Olympus"\n' + ALERT.replace("op", "opp") + '[[views]]\nname = "v"\nsort = "x"\n')
    found = [problem.replace(str(path), "FILE") for problem in _config(path)]
    assert [problem.split(": ")[0:2] for problem in found] == [
        ["FILE:1", "timezone"], ["FILE:5", "alerts[0].opp"], ["FILE:2", "alerts[0].op"], ["FILE:9", "views[0].sort"]]


def test_syntax_and_file_errors_are_problems_too(tmp_path):
    with pytest.raises(ConfigFileError) as raised:
        Document.parse('agent = "ana"\nviews = [\n  {name = \n', "c.toml")
    assert str(raised.value).startswith("c.toml:3: toml: syntax error: ")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ConfigError, match=r"binary.toml:0: file: not a text file \(not UTF-8\)"):
        load_config(binary)
    assert load_config(tmp_path / "absent.toml").alerts == []


SOURCE = '''agent = "ana"  # a comment
signature = """
[not_a_table]
name = "inside a string"
"""
[[mailboxes]]
name = "a"
folders = [
  "INBOX",
  "[Gmail]/Sent",
]
port = 993
[mailboxes.extra]
deep.key = 1
"quoted.key" = 2
'single' = 3
[[mailboxes]]
name = "b"
[ lint . "amazon" ]
disable = []
'''


def test_the_line_index_knows_tables_arrays_and_keys():
    index = LineIndex(SOURCE)
    assert index.line("agent") == 1 and index.line("signature") == 2
    assert ("not_a_table",) not in index.lines and index.line("name") == 1  # no such key: line 1
    assert index.line("mailboxes") == 6 and index.line("mailboxes", 0) == 6 and index.line("mailboxes", 0, "name") == 7
    assert index.line("mailboxes", 0, "port") == 12  # after a multi-line array whose items look like tables
    assert index.line("mailboxes", 0, "extra") == 13
    assert index.line("mailboxes", 0, "extra", "deep", "key") == 14 and index.line("mailboxes", 0, "extra", "deep") == 14
    assert index.line("mailboxes", 0, "extra", "quoted.key") == 15 and index.line("mailboxes", 0, "extra", "single") == 16
    assert index.line("mailboxes", 1) == 17 and index.line("mailboxes", 1, "name") == 18
    assert index.line("mailboxes", 1, "missing") == 17  # a missing key points at its table
    assert index.line("lint", "amazon", "disable") == 20


def test_typed_reads_report_and_fall_back():
    document = Document.parse('n = "x"\nb = 1\nc = "z"\nf = 0.1\nl = ["a", ""]\n', "c.toml")
    reader = Reader(document)
    data = document.data
    assert reader.integer(data, (), "n", 5, low=1, high=9, wrong="must be 1-9") == 5
    assert reader.boolean(data, (), "b", True) is True
    assert reader.choice(data, (), "c", ("x", "y"), "x", wrong=lambda v: f"{v!r} is not x or y") == "x"
    assert reader.number(data, (), "f", 1.0, above=0.5, wrong="too small") == 1.0
    assert reader.strings(data, (), "l", ["d"]) == ["d"]
    assert reader.text(data, (), "missing", required=True) is None
    assert [str(p) for p in reader.problems] == [
        "c.toml:1: n: must be 1-9", "c.toml:2: b: must be true or false", "c.toml:3: c: 'z' is not x or y",
        "c.toml:4: f: too small", "c.toml:5: l: must be a non-empty list of strings", "c.toml:1: missing: missing"]
    assert Reader(Document({"x": 1}, None, "data")).document.line("x") == 0  # data without its text
