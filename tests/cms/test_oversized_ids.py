"""An id larger than any 64-bit column gets the same 404 or 400 on SQLite
(`make run`'s default) as on PostgreSQL, never a 500 (cms.ids)."""

import pytest

from tests.cms import oversized_ids
from tests.sqlite import sqlite_module_answers

pytestmark = pytest.mark.django_db


def test_oversized_ids_answer_404_or_400_alike_on_sqlite_and_postgresql(tmp_path):
    postgresql = oversized_ids.probe()
    statuses = {k: v for k, v in postgresql.items() if isinstance(v, int)}
    assert statuses and all(status in (200, 400, 404) for status in statuses.values()), statuses
    assert postgresql["course choice"] == postgresql["accreditor claim"] == "invalid_choice"
    sqlite = sqlite_module_answers("tests.cms.oversized_ids", tmp_path)
    assert sqlite == postgresql
