"""The console's rules without Telegram: import atomicity, file limits, exports, periods."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from domain import admin, digest, exports, roster, spreadsheets
from domain.errors import InvalidInput
from domain.models import PersonStatus, Role
from handlers import console  # noqa: F401 - registers its refusal texts
from handlers.common import ERROR_TEXT
from storage import people
from storage.db import Database
from tests.console_helpers import xlsx
from tests.refusals import refusal

TODAY = date(2026, 11, 25)


async def test_a_conflict_found_while_writing_rolls_everything_back(tmp_path):
    async with Database(tmp_path / "db.sqlite") as db:
        home = await admin.add_branch(db, "甲支部")
        other = await admin.add_branch(db, "乙支部")
        await admin.add_secretary(db, other.id, 555)
        table = spreadsheets.read_table(
            "r.xlsx",
            xlsx(
                [
                    ["李明", "13800138000", "居民党员", None, None],
                    ["王五", "13900139000", "居民", None, 555],
                ],
                ["姓名", "手机号", "类别", "入党日期", "Telegram ID"],
            ),
        )
        before = await db.fetchval("SELECT COUNT(*) FROM people")
        result = await roster.import_roster(db, None, home.id, table, today=TODAY)
        assert [(e.row, e.column, e.code) for e in result.errors] == [
            (3, "telegram_id", "telegram_id_elsewhere")
        ]
        assert await db.fetchval("SELECT COUNT(*) FROM people") == before
        assert await db.fetchval("SELECT COUNT(*) FROM invites") == 0
        assert (await people.by_telegram_id(db, 555)).branch_id == other.id
        assert (await people.by_telegram_id(db, 555)).status is PersonStatus.ACTIVE


def test_a_huge_workbook_is_refused_without_reading_it_all():
    rows = [[f"人{i}", f"138{i:08d}", "居民党员", None] for i in range(10_000)]
    assert refusal(spreadsheets.read_table, "big.xlsx", xlsx(rows)) == "too_many_rows"


def test_formula_cells_are_rows_in_error_and_text_out_stays_text():
    table = spreadsheets.read_table("f.xlsx", xlsx([["=1+1", "13800138000", "居民党员"]]))
    _, errors = roster.validate(table, TODAY)
    assert [(e.column, e.code) for e in errors] == [("name", "cell_formula")]
    content = spreadsheets.write_workbook(
        [spreadsheets.Sheet("s", ["a"], [['=HYPERLINK("http://x","y")']])]
    )
    cell = load_workbook(io.BytesIO(content)).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_periods():
    assert exports.period_choice("d7", TODAY) == exports.Period(date(2026, 11, 19), TODAY)
    assert exports.period_choice("year", TODAY).start == date(2026, 1, 1)
    assert exports.period_typed("2026-01", "2026-02", TODAY) == exports.Period(
        date(2026, 1, 1), date(2026, 2, 28)
    )
    with pytest.raises(InvalidInput):
        exports.period_typed("2026-03-01", "2026-01-01", TODAY)


def test_more_exports_plug_in_with_a_few_lines():
    async def rows(db, branch_id, period, tz):
        return [["x"]]

    added = exports.register(exports.Export("demo", "Demo", ("A",), rows))
    try:
        assert exports.EXPORTS["demo"] is added
    finally:
        del exports.EXPORTS["demo"]


async def test_an_applicant_rejected_earlier_whom_the_roster_lists_becomes_a_member(tmp_path):
    async with Database(tmp_path / "db.sqlite") as db:
        home = await admin.add_branch(db, "甲支部")
        async with db.transaction() as conn:
            await people.insert(
                conn,
                telegram_id=777,
                branch_id=home.id,
                name="赵六",
                phone="13700137000",
                category=None,
                status=PersonStatus.REJECTED,
            )
        table = spreadsheets.read_table(
            "r.csv", "姓名,手机号,类别,Telegram ID\n赵六,13700137000,居民党员,777\n".encode()
        )
        result = await roster.import_roster(db, None, home.id, table, today=TODAY)
        assert (result.created, result.matched) == (0, 1)
        person = await people.by_telegram_id(db, 777)
        assert person.status is PersonStatus.ACTIVE and person.category == "resident"
        assert await people.roles_of(db, person.id) == {(home.id, Role.MEMBER)}


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_damaged_and_bomb_workbooks_are_refused_cleanly():
    damaged = zipped({"[Content_Types].xml": b"<not xml", "xl/workbook.xml": b"\x00\x01"})
    bomb = zipped({"xl/sharedStrings.xml": b"0" * (50 * 1024 * 1024)})
    assert len(bomb) < spreadsheets.MAX_BYTES
    for content, code in [(damaged, "file_unreadable"), (bomb, "file_too_large")]:
        assert refusal(spreadsheets.read_table, "x.xlsx", content) == code


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=2048), suffix=st.sampled_from(["xlsx", "csv", "txt"]))
def test_any_bytes_give_a_table_or_a_clear_refusal(content, suffix):
    try:
        table = spreadsheets.read_table(f"f.{suffix}", content)
    except InvalidInput as exc:
        assert exc.code in ERROR_TEXT
    else:
        try:
            roster.validate(table, TODAY)
        except InvalidInput as exc:
            assert exc.code == "columns_missing"


@pytest.mark.parametrize(
    ("local", "part"),
    [
        ("04:00", "morning"),
        ("11:59", "morning"),
        ("12:00", "afternoon"),
        ("17:59", "afternoon"),
        ("18:00", "evening"),
        ("23:30", "evening"),
        ("03:59", "evening"),
    ],
)
def test_the_digest_greets_by_the_local_time_of_day(local, part):
    assert digest.day_part(time.fromisoformat(local)) == part


def test_the_digest_schedule_reads_back_its_weekday():
    for weekday in (None, 0, 3, 6):
        schedule = digest.Schedule(time(8, 30), weekday)
        assert digest.parse_schedule(schedule.crontab) == schedule
    assert digest.parse_schedule("0 9 * * 7").weekday == 0  # cron's other Sunday
    assert digest.parse_schedule("0 9 * * 1-5") == digest.Schedule(time(9, 0))


def test_a_reported_change_in_the_queue_names_its_fields_in_the_readers_language():
    from domain.i18n import translator
    from domain.pending import Item, Kind
    from handlers.pending import _detail

    change = Item(
        Kind.CHANGE,
        1,
        1,
        1,
        "李明",
        datetime(2026, 11, 1, tzinfo=UTC),
        '{"org_phone": 1, "address": 2}',
        3,
    )
    assert _detail(translator("zh_Hans"), change) == "地址和党组织联系电话"
    assert _detail(translator("en"), change) == "Address and Its phone"
