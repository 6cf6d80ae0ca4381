"""The app reads [lint] from the config document load_config already parsed, not from a second
parse of its source text (issue #14 follow-up)."""

import pytest

from deskui.config import load_config
from deskui.policy import PolicyError
from deskui.ui.app import config_lint_rules


def test_lint_rules_come_from_the_document_already_read(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('agent = "ana"\n\n[lint.amazon]\ndisable = ["phone_number"]\n')
    config = load_config(path)
    config.source = ""  # were the text parsed again, this would give the defaults
    rules = config_lint_rules(config)
    assert "phone_number" not in rules.channels["amazon"].enabled


def test_no_lint_table_means_no_rules_of_the_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('agent = "ana"\n')
    assert config_lint_rules(load_config(path)) is None


def test_a_bad_lint_table_names_its_file_and_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('agent = "ana"\n\n[lint.amazon]\ndisable = ["no_such_rule"]\n')
    with pytest.raises(PolicyError) as caught:
        config_lint_rules(load_config(path))
    assert f"{path}:4" in str(caught.value.problems[0])
