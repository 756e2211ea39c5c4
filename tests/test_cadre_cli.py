"""`partybot unit …` and `partybot report …` as the operator runs them."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from PIL import Image

from domain import admin, units
from storage.db import Database
from tests.cadre_support import member, registered
from tests.test_cli import partybot


async def test_units_invites_and_offline_reports(tmp_path):
    branch_id = partybot(tmp_path, "branch", "add", "东风社区党支部").stdout.strip()
    added = partybot(tmp_path, "unit", "add", "县教育局机关党委", "--branch", branch_id)
    assert added.returncode == 0, added.stderr
    unit_id, _link, code = added.stdout.strip().splitlines()
    assert len(code) == 10
    child = partybot(tmp_path, "unit", "add", "县教育局第一中学党支部", "--parent", unit_id)
    assert child.returncode == 0, child.stderr
    for args, message in [
        (["unit", "add", "县教育局机关党委"], "already exists"),
        (["unit", "add", "某单位", "--parent", "99"], "no unit organisation with id 99"),
        (["invite", "create", "--branch", branch_id, "--role", "unit"], "needs --unit"),
        (["report", "feedback", "--quarter", "2026Q5"], "not a quarter"),
        (["report", "county", "--half", "2026H3", "--out", "x"], "not a half-year"),
        (["report", "feedback", "--quarter", "2026Q3", "--unit", "99"], "no unit organisation"),
    ]:
        result = partybot(tmp_path, *args)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr
    county = partybot(tmp_path, "invite", "create", "--branch", branch_id, "--role", "county")
    assert county.returncode == 0, county.stderr

    async with Database(tmp_path / "db" / "partybot.db") as db:
        await admin.add_secretary(db, int(branch_id), 1)
        unit = (await units.add_unit(db, None, "县卫健委机关党委", locale="en")).id
        await registered(db, await member(db, int(branch_id), "张局长"), 1, int(unit_id))
        await registered(db, await member(db, int(branch_id), "李主任"), 1, unit)

    out = tmp_path / "out"
    result = partybot(tmp_path, "report", "feedback", "--quarter", "2026Q3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 3
    book = load_workbook(out / f"feedback-2026Q3-unit{unit_id}.xlsx")
    assert [r[1] for r in book["汇总"].iter_rows(3, values_only=True)] == ["张局长", "1 人"]
    text = (out / f"feedback-2026Q3-unit{unit_id}.txt").read_text(encoding="utf-8")
    assert "张局长" in text and "李主任" not in text

    one = partybot(
        tmp_path, "report", "feedback", "--quarter", "2026Q3", "--unit", str(unit), "--out", "o2"
    )
    assert one.returncode == 0 and len(one.stdout.strip().splitlines()) == 1
    english = (tmp_path / "o2" / f"feedback-2026Q3-unit{unit}.txt").read_text(encoding="utf-8")
    assert "feedback on your cadres" in english and "李主任" in english
    assert "Registered for 2026: yes" in english

    result = partybot(tmp_path, "report", "county", "--half", "2026H2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    county_book = load_workbook(out / "county-2026H2.xlsx")
    rows = {r[0]: r for r in county_book["分支部"].iter_rows(3, values_only=True)}
    assert rows["东风社区党支部"][1:4] == (2, 2, 0)
    assert Image.open(io.BytesIO((out / "county-2026H2.png").read_bytes())).format == "PNG"

    missing = partybot(
        tmp_path,
        "report",
        "county",
        "--half",
        "2026H2",
        "--out",
        "o3",
        BOT_FONT="/no/such/font.ttc",
    )
    assert missing.returncode == 1 and "BOT_FONT" in missing.stderr
    assert "Traceback" not in missing.stderr
    # The spreadsheet needs no font: it is written all the same.
    assert load_workbook(tmp_path / "o3" / "county-2026H2.xlsx").sheetnames[0] == "分支部"
    assert not (tmp_path / "o3" / "county-2026H2.png").exists()
