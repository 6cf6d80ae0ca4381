from datetime import datetime, timezone

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def policy():
    return default_policy()


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "desk.db"
    connect(path, create=True).close()
    return path


@pytest.fixture
def conn(db_path):
    connection = connect(db_path)
    yield connection
    connection.close()
