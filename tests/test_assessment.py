"""The district's year with a branch (issue 19): creation targets and the signed pledge at
its start; at its end the "五个好" assessment beside the bot's figures, seen by the
branch's secretary (not by another branch's), received by its patron, and exported for
the county, in the chat and at the command line."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.models import InviteRole, Role
from storage import assessments
from tests.console_helpers import sent_file, sheet_rows
from tests.guidance_support import a_district, contact_of, joins_as
from tests.test_cli import partybot

JANUARY = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
DECEMBER = datetime(2027, 12, 15, 2, 0, tzinfo=UTC)
SIGNED = b"\xff\xd8\xff\xe0 a photo of the signed pledge"
GRADES = ["好", "较好", "好", "一般", "好"]


async def test_targets_pledge_and_the_year_end_assessment(bot, tmp_path):
    district = await a_district(bot)
    contact = district.contact
    patron = bot.person("包扶领导")
    await joins_as(bot, district, district.a.id, patron, InviteRole.PATRON, "郑常委")
    county = bot.person("组织部")
    await contact_of(bot, district.a.id, county, "钱联络", Role.COUNTY)
    moment = [JANUARY]
    bot.app.bot_data["clock"] = lambda: moment[0]

    # January: the creation targets and the signed pledge.
    await contact.send("/targets")
    assert contact.buttons() == ["幸福社区党支部", "和平社区党支部"]
    await contact.press("幸福社区党支部", expecting="创建目标：尚未录入。")
    await contact.press("✏️ 创建目标")
    await contact.send(
        "创建“五好”党支部，党员志愿服务全覆盖", expecting="创建目标：创建“五好”党支部"
    )
    await contact.send("/targets")
    await contact.presses("幸福社区党支部", "📝 党建工作责任状")
    await contact.send("2025-03-01", expecting="上年末或2027年内")
    await contact.types("2027-01-08", "还没拍", expecting="请发送已签订责任状的照片或文件")
    await contact.send_photo(SIGNED)
    assert "党建工作责任状已于2027年1月8日签订。" in contact.last_text
    stored = await assessments.targets_of(bot.db, district.a.id, 2027)
    assert stored.pledge_file_kind == "photo" and stored.pledge_file_id

    # December: the assessment, beside the year's figures.
    moment[0] = DECEMBER
    await contact.send("/assess", expecting="2027年度年终考评")
    await contact.press("幸福社区党支部")
    figures = contact.texts[-2]
    assert "党员：2 人" in figures and "创建目标：创建“五好”党支部" in figures
    assert "1/5 领导班子好" in contact.last_text
    assert contact.buttons() == ["好", "较好", "一般", "差"]
    for grade in GRADES:
        await contact.press(grade)
    assert "评语" in contact.last_text
    await contact.send("班子团结，服务群众成效明显")
    review = contact.last_text
    assert "党员干部队伍好：评定为“较好”" in review and "工作业绩好：评定为“一般”" in review
    await contact.press("✅ 提交", expecting="已将考评结果告知幸福社区党支部的书记和包扶领导")

    # The branch's secretary and its patron are told; the other branch's secretary not.
    for told in (district.a.secretary, patron):
        assert "幸福社区党支部2027年度“五个好”考评结果" in told.last_text
        assert "工作业绩好：评定为“一般”" in told.last_text
    assert not any("考评结果" in t for t in district.b.secretary.texts)
    await district.a.secretary.send("/assessment", expecting="评语：班子团结，服务群众成效明显")
    await district.b.secretary.send("/assessment")
    assert district.b.secretary.last_text == "本支部2027年度尚未考评。"
    await patron.send("/assessment", expecting="领导班子好：评定为“好”")

    # The county's table, in the chat and at the command line.
    await county.send("/assessment_export")
    name, content = sent_file(county.last)
    assert name == "assessment-2027.xlsx"
    rows = sheet_rows(content)
    assert rows[0][:8] == (
        "区",
        "社区党支部",
        "领导班子好",
        "党员干部队伍好",
        "工作机制好",
        "工作业绩好",
        "群众反映好",
        "评语",
    )
    assert rows[1][:9] == ("城关区", "和平社区党支部", *["未评定"] * 5, None, None)
    assert rows[2][:9] == ("城关区", "幸福社区党支部", *GRADES, "班子团结，服务群众成效明显", 2)
    assert rows[2][-2:] == (datetime(2027, 1, 8), "创建“五好”党支部，党员志愿服务全覆盖")

    url = f"sqlite:///{bot.data_dir / 'partybot.db'}"
    out = tmp_path / "table.xlsx"
    done = partybot(
        tmp_path,
        "assessment",
        "export",
        "--year",
        "2027",
        "--district",
        str(district.id),
        "--out",
        str(out),
        DATABASE_URL=url,
    )
    assert done.returncode == 0, done.stderr
    assert sheet_rows(out.read_bytes())[2][2:7] == tuple(GRADES)
    refused = partybot(
        tmp_path, "assessment", "export", "--year", "2027", "--district", "99", DATABASE_URL=url
    )
    assert refused.returncode != 0 and "no district with id 99" in refused.stderr


async def test_the_assessment_is_refused_to_others(bot):
    district = await a_district(bot, contact_language="en")
    bot.app.bot_data["clock"] = lambda: DECEMBER
    secretary = district.a.secretary
    for command in ("/assess", "/targets", "/instructors"):
        await secretary.send(command)
        assert secretary.last_text.startswith("只有该支部所在区党工委的联系人"), command
        assert not secretary.buttons()
    await secretary.send("/assessment_export")
    assert secretary.last_text == "只有县委组织部的联系人才能进行此操作。"
    # A forged grade before any branch was chosen, and a branch of another district.
    contact = district.contact
    await contact.send("/assess")
    await contact.press_data_on("幸福社区党支部", "assess:grade:leadership:good")
    assert contact.answer == "This button is no longer valid."
    await contact.press_data_on("幸福社区党支部", "assess:branch:99")
    assert contact.answer.startswith("Only the contact of the branch's district")
    assert await assessments.assessments(bot.db, 2027, [district.a.id, 99]) == []
