"""The check-up as a lead meets it: the screen, `deskui health --json`, `deskui alerts` for cron."""

import json

import pytest

from deskui.clock import FixedClock
from deskui.demo import generate
from deskui.policy import default_policy
from deskui.ui.app import DeskApp
from deskui.ui.screens.health import HealthScreen
from tests.conftest import NOW, PG_TEMPLATE
from tests.test_cli import deskui

pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def built():
    """The module's demo per backend, made by the first test that asks for it (the tests only read it)."""
    return {}


@pytest.fixture
def demo_db(backend, built, tmp_path_factory, request):
    if backend not in built:
        if backend == "sqlite":
            target = tmp_path_factory.mktemp("health") / "demo.db"
        else:  # lives as long as the session's server
            server = request.getfixturevalue("pg_server")
            target = server.url(server.create_database(template=PG_TEMPLATE))
        generate(target, seed=7, tickets=3000, now=NOW, force=True)
        built[backend] = target
    return built[backend]


async def test_health_screen_shows_every_section(demo_db):
    app = DeskApp(demo_db, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="health")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        spikes = str(app.screen.query_one("#spikes").render())
        assert "damaged" in spikes and "Order Defect Rate" in spikes and "B0" in spikes
        assert "Order Defect Rate" in str(app.screen.query_one("#account").render())
        reactivity = str(app.screen.query_one("#reactivity").render())
        assert "First response" in reactivity and "x slower" in reactivity  # the demo's weekend dip
        assert "by agent" in str(app.screen.query_one("#drilldowns").render())
        assert app.screen.query("Sparkline")


async def test_the_title_says_when_the_check_up_was_made_as_people_read_a_time(demo_db):
    from zoneinfo import ZoneInfo

    app = DeskApp(demo_db, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="health",
                  timezone="Europe/Paris")
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        title = str(app.screen.query_one("#title").render())
        local = NOW.astimezone(ZoneInfo("Europe/Paris"))
        assert f"days to {local:%a %d %b %H:%M} CET" in title, title  # not the stored ...T..Z instant
        assert "Z " not in title and "T" + f"{NOW:%H}" not in title


async def test_inbox_opens_health_and_back(demo_db):
    app = DeskApp(demo_db, policy=default_policy(), clock=FixedClock(NOW), agent="lead")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        assert not isinstance(app.screen, HealthScreen)


def test_health_json_has_the_documented_keys(demo_db):
    result = deskui("health", str(demo_db), "--json", "--days", "14")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"generated_at", "spikes", "response_times", "drilldowns", "account_health", "sample"} <= set(report)


def test_health_json_counts_the_sellers_days(demo_db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('timezone = "America/Los_Angeles"\n')
    from_config = deskui("health", str(demo_db), "--json", "--days", "7", env={"DESKUI_CONFIG": str(config)})
    assert json.loads(from_config.stdout)["window"]["timezone"] == "America/Los_Angeles"
    flag = deskui("health", str(demo_db), "--json", "--days", "7", "--zone", "Europe/Paris", env={"DESKUI_CONFIG": str(config)})
    assert json.loads(flag.stdout)["window"]["timezone"] == "Europe/Paris"
    wrong = deskui("health", str(demo_db), "--json", "--zone", "Mars/Olympus")
    assert wrong.returncode == 2 and "--zone: unknown time zone 'Mars/Olympus'" in wrong.stderr and "Traceback" not in wrong.stderr


def test_alerts_exit_non_zero_when_one_fires(demo_db, tmp_path):
    rules = tmp_path / "alerts.toml"
    rules.write_text('[[alerts]]\nname = "anything breached"\nmetric = "breached_open"\nop = ">"\nthreshold = 0\n\n'
                     '[[alerts]]\nname = "never"\nmetric = "breached_open"\nop = "<"\nthreshold = 0\n')
    result = deskui("alerts", str(demo_db), "--rules", str(rules), "--json")
    assert result.returncode == 1
    fired = json.loads(result.stdout)
    assert [alert["name"] for alert in fired] == ["anything breached"]


def test_bad_alert_rules_are_named(demo_db, tmp_path):
    rules = tmp_path / "alerts.toml"
    rules.write_text('[[alerts]]\nname = "x"\nmetric = "frt_weeks"\nop = ">"\nthreshold = 1\n')
    result = deskui("alerts", str(demo_db), "--rules", str(rules))
    assert result.returncode == 2 and "alerts[0].metric" in result.stderr and "Traceback" not in result.stderr


def test_the_documented_example_has_every_key_a_report_has(demo_db):
    """docs/health.md shows a trimmed report; its keys down to the sections stay those of a real one."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "health.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(\{.*?\n\})\n```", doc, re.S).group(1))
    report = json.loads(deskui("health", str(demo_db), "--json", "--days", "14").stdout)
    assert set(example) == set(report)
    left_out = {"late_shipment_10d"}  # the doc says so under the example
    for key, section in report.items():
        if isinstance(section, dict):
            assert set(example[key]) == set(section) - left_out, key
    assert set(example["response_times"]["first_response"]) == set(report["response_times"]["first_response"])
