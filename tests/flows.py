"""Chat scripts that several tests walk: joining a branch, logging hours, registering an
outflow, creating an event, and the secretary's and members' steps through the posts.

A script does only the sends and presses it names, in that order; what differs between
tests (a label, a day, a language) is a parameter. What a test checks stays in the test."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.models import InviteRole
from tests.conftest import Branch, invite, onboard
from tests.fakes.harness import BotHarness, Person

#: Where the test events' 社区活动室 is: the location event_draft shares.
PLACE = (30.2741, 120.1551)


def today() -> date:
    """The bot's today: the harness runs in Asia/Shanghai."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def retype(person: Person, field: str, value: str) -> None:
    """On a screen with ✏️ buttons (a review, a post's card): `field`'s button, then its
    new value typed."""
    await person.press(f"✏️ {field}")
    await person.send(value)


# ------------------------------------------------------------------------------ joining


async def approved_member(
    bot: BotHarness,
    branch: Branch,
    first_name: str,
    name: str,
    phone: str,
    *,
    category: str | None = "居民党员",
    role: InviteRole = InviteRole.MEMBER,
    submit: str = "✅ 提交",
    **person: object,
) -> Person:
    """Someone who joined `branch` through an invitation (as `name`, with `phone` and the
    `category` button, if any) and whose request the secretary approved with ✅ 通过."""
    someone = bot.person(first_name, **person)
    code = await invite(bot, branch.id, role=role)
    await onboard(someone, code, name, phone, category, submit=submit)
    await branch.secretary.press("✅ 通过")
    return someone


# ------------------------------------------------------------------------------ hours


async def start_logging(
    person: Person, kind: str = "党课", day: str = "今天", *, log_button: str = "➕ 登记时长"
) -> None:
    """/hours, the log button, the kind of activity and the day's button (今天, 昨天 or
    📅 其他日期): the bot asks next for the hours, or for the typed date."""
    await person.send("/hours")
    await person.presses(log_button, kind, day)


async def log_hours(
    person: Person,
    kind: str = "党课",
    day: str = "今天",
    typed_day: str | None = None,
    amount: str = "1.5",
    text: str = "学习党章",
) -> None:
    """A whole record submitted without a photo."""
    await start_logging(person, kind, day)
    if typed_day is not None:
        await person.send(typed_day)
    await finish_logging(person, amount, text)


async def finish_logging(person: Person, amount: str = "1.5", text: str = "学习党章") -> None:
    """Once the bot asks for the hours: `amount`, `text`, no photo, and the record submitted."""
    await person.send(amount)
    await submit_record(person, text)


async def submit_record(person: Person, text: str = "学习党章") -> None:
    """Once the bot asks what was done: `text`, no photo, and the record submitted."""
    await person.send(text)
    await person.presses("跳过", "✅ 提交")


#: What a branch's hour totals may count; the setting's button names the one in force.
TOTALS_COUNT = ("仅已核实的时长", "已核实和自报（待核实）的时长")


async def count_in_totals(secretary: Person, choice: str) -> None:
    """The secretary makes the branch's totals count `choice` (from the other one)."""
    (current,) = (option for option in TOTALS_COUNT if option != choice)
    await secretary.send("/hours")
    await secretary.presses(f"⚖️ 汇总计入：{current}", choice)


# ------------------------------------------------------------------------------ mobile


async def begin_outflow(person: Person) -> None:
    """/mobile → 🚶 外出登记, up to the departure date: destination, address, employer,
    and 暂不清楚 for the party organisation there."""
    await person.send("/mobile")
    await person.press("🚶 外出登记")
    await person.types("浙江省杭州市", "西湖区文三路1号", "杭州某科技公司")
    await person.press("暂不清楚")


async def register_outflow(person: Person, *, back_in_days: int = 100) -> None:
    """An outflow filled in to its review screen: leaving in five days, for work."""
    leave = today() + timedelta(days=5)
    back = today() + timedelta(days=back_in_days)
    await begin_outflow(person)
    await person.types(f"{leave.year}/{leave.month}/{leave.day}", back.isoformat())
    await person.press("务工")
    await person.send("138 0013 8000")  # typing another number works as well


async def approved_outflow(person: Person, secretary: Person) -> None:
    """An outflow registered, submitted, and approved by the secretary."""
    await register_outflow(person)
    await person.press("✅ 提交")
    await secretary.press("✅ 通过")


async def status_report(person: Person, new_address: str) -> None:
    """/mobile → 📝 动态报告 filled in up to its review: whereabouts, study, activities,
    and a new address."""
    await person.send("/mobile")
    await person.press("📝 动态报告")
    await person.types("在杭州，做软件开发", "学习了党章", "参加了流入地支部的主题党日")
    await retype(person, "地址", new_address)


# ------------------------------------------------------------------------------ events


async def event_draft(
    secretary: Person,
    title: str = "学习党章",
    when: str = "2026-12-01 14:00-16:00",
    *,
    kind: str = "党课",
    place: str = "社区活动室",
    location: bool = True,
) -> None:
    """/newevent up to its review: the location shared at PLACE (or skipped), no limit."""
    await secretary.types("/newevent", title)
    await secretary.press(kind)
    await secretary.types(when, place)
    if location:
        await secretary.share_location(*PLACE)
    else:
        await secretary.press("跳过")
    await secretary.press("不限")


async def new_event(
    secretary: Person, title: str = "学习党章", when: str = "2026-12-01 14:00-16:00", **draft
) -> None:
    """An event created, its invitations sent."""
    await event_draft(secretary, title, when, **draft)
    await secretary.press("✅ 创建并邀请")


# ------------------------------------------------------------------------------ posts


async def forward_stage(secretary: Person) -> None:
    """The secretary moves the posts' year on to its next stage."""
    await secretary.send("/posts")
    await secretary.press("⚙️ 阶段")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("➡️ 进入")))
    await secretary.press("✅ 确认")


async def manage_posts(secretary: Person, choice: str) -> None:
    """/posts → ✏️ 管理岗位 → `choice`: a post to change, ➕ 新增岗位, or the limit of
    posts a member may hold."""
    await secretary.send("/posts")
    await secretary.presses("✏️ 管理岗位", choice)


#: The claim buttons, (to the list of posts, on a post), by the client's language.
CLAIM_BUTTONS = {
    "zh": ("🙋 认领岗位", "🙋 认领此岗"),
    "en": ("🙋 Claim a post", "🙋 Claim this post"),
}


async def open_post(person: Person, post: str, lang: str = "zh") -> None:
    """/posts → the list of posts to claim → `post`: its duties and the claim button."""
    await person.send("/posts")
    await person.press(CLAIM_BUTTONS[lang][0])
    await person.press(post)


async def claim_post(person: Person, post: str, lang: str = "zh") -> None:
    await open_post(person, post, lang)
    await person.press(CLAIM_BUTTONS[lang][1])


async def on_duty(secretary: Person, person: Person, post: str) -> None:
    """From the survey: applications open, `person` claims `post`, the secretary approves
    the claim, and the year moves on to performing the duties."""
    await forward_stage(secretary)
    await claim_post(person, post)
    await secretary.press("✅ 通过")
    await forward_stage(secretary)


async def assess(secretary: Person, holder: str, rating: str, comment: str | None = None) -> None:
    """On the assessment form: the holder's button (`name · post`), the rating, and the
    comment, or 跳过 without one."""
    await secretary.presses(holder, rating)
    if comment is None:
        await secretary.press("跳过")
    else:
        await secretary.send(comment)


async def start_duty_record(person: Person, post: str) -> None:
    """/posts → 📒 记录履职 → the post: the bot asks for the day."""
    await person.send("/posts")
    await person.presses("📒 记录履职", post)
