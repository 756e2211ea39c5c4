"""storage.rows: a row written from a dataclass reads back as the same dataclass."""

from datetime import date

from domain.activity import ActivityKind, Draft, HourSource, HourStatus
from domain.post_models import DutyRecord
from storage import hours, rows
from storage.db import Database
from tests.world import active_person


def test_columns_are_the_fields_but_id_and_a_later_part_wins():
    record = DutyRecord(1, 2, 2026, date(2026, 3, 1), "走访", id=9)
    stored = rows.columns(record, {"done_on": "2026-03-01", "created_at": "x"})
    assert "id" not in stored
    assert (stored["post_id"], stored["text"], stored["minutes"]) == (1, "走访", None)
    assert (stored["done_on"], stored["created_at"]) == ("2026-03-01", "x")


async def test_an_hour_record_written_from_its_draft_reads_back_with_it(tmp_path):
    async with Database(tmp_path / "r.db") as db:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x')"
            )
            person_id = await active_person(conn, 1, 42, "李明")
            draft = Draft(ActivityKind.VOLUNTEER, date(2026, 3, 1), 3, "社区志愿服务")
            record_id = await hours.insert(
                conn, person_id, 1, draft, HourStatus.PENDING, HourSource.SELF
            )
        record = await hours.get(db, record_id)
    assert Draft(record.kind, record.day, record.half_hours, record.description) == draft
    assert (record.person_id, record.status, record.source) == (
        person_id,
        HourStatus.PENDING,
        HourSource.SELF,
    )
    assert (record.branch_id, record.event_id, record.post_id) == (1, None, None)
