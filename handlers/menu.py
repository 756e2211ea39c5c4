"""The commands each audience sees: in /help and in Telegram's command menu."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat

from domain.access import Actor, Audience, audiences_of
from domain.i18n import N_, Translator, translator
from handlers import buttons


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    audience: Audience


#: Each command, what it does, and the audiences that see it (one or more): in the order of /help.
_MENU: list[tuple[str, str, *tuple[Audience, ...]]] = [
    ("start", N_("Start, or join your branch with an invitation"), Audience.EVERYONE),
    ("help", N_("What I can do for you"), Audience.EVERYONE),
    ("language", N_("Switch language: 中文 / English"), Audience.EVERYONE),
    ("cancel", N_("Stop what you are doing"), Audience.EVERYONE),
    ("cadre", N_("My cadre registration and this quarter"), Audience.CADRE),
    ("cadre_register", N_("Register as a cadre for this year"), Audience.CADRE),
    ("away", N_("Pause reminders while I am away"), Audience.CADRE),
    ("cadres", N_("Cadres I may see"), Audience.SECRETARY),
    ("remark", N_("Remark on a cadre for the quarterly feedback"), Audience.SECRETARY),
    ("unit_add", N_("Add a unit party organisation"), Audience.SECRETARY),
    ("resident_units", N_("Resident units: register, invite, agree, ask"), Audience.SECRETARY),
    ("cobuild", N_("Co-building with resident units this year"), Audience.SECRETARY),
    ("cobuild", N_("Our co-building with the branch this year"), Audience.RESIDENT_UNIT),
    ("opinion", N_("Our yearly opinion on the branch's party building"), Audience.RESIDENT_UNIT),
    ("cadres", N_("Cadres I may see"), Audience.UNIT, Audience.COUNTY),
    ("unit_link", N_("Link my unit's group chat"), Audience.UNIT),
    ("link", N_("In the unit's group: link it with the code from /unit_link"), Audience.UNIT),
    ("mydata", N_("Get everything the bot holds about you"), Audience.UNIT, Audience.COUNTY),
    ("district", N_("The district's branches this quarter"), Audience.DISTRICT),
    ("mydata", N_("Get everything the bot holds about you"), Audience.DISTRICT),
    ("mydata", N_("Get everything the bot holds about you"), Audience.INSTRUCTOR),
    ("mydata", N_("Get everything the bot holds about you"), Audience.RESIDENT_UNIT),
    ("mydata", N_("Get everything the bot holds about you"), Audience.PATRON),
    ("posts", N_("Responsibility posts: claim, record duties"), Audience.MEMBER),
    ("posts", N_("Responsibility posts: stages, claims, holders"), Audience.SECRETARY),
    ("linkgroup", N_("Send in the branch's group chat to link it"), Audience.SECRETARY),
    ("mobile", N_("Working away or moved in: my mobile-member registration"), Audience.MEMBER),
    ("verify", N_("Check a mobile member's activity certificate"), Audience.EVERYONE),
    ("mobile_list", N_("Mobile members of the branch"), Audience.SECRETARY),
    ("mydata", N_("Get everything the bot holds about you"), Audience.MEMBER),
    ("leave", N_("Record that you are leaving the branch"), Audience.MEMBER),
    ("depart", N_("Record a member's departure"), Audience.SECRETARY),
    ("import", N_("Import members from a spreadsheet"), Audience.SECRETARY),
    ("export", N_("Export members or the audit log as a spreadsheet"), Audience.SECRETARY),
    ("audit", N_("Read the branch's audit log"), Audience.SECRETARY),
    ("pending", N_("Everything waiting for my decision"), Audience.SECRETARY),
    ("broadcast", N_("Send an announcement to members"), Audience.SECRETARY),
    ("digest", N_("When my digest comes: daily or weekly, and the time"), Audience.SECRETARY),
    ("hours", N_("Log activity hours, see your totals"), Audience.MEMBER),
    ("hours", N_("The branch's activity hours: approve, totals"), Audience.SECRETARY),
    ("events", N_("Upcoming events: answer, calendar, reminders"), Audience.MEMBER),
    ("events", N_("Upcoming events: answer, calendar, reminders"), Audience.SECRETARY),
    ("checkin", N_("Check in at an event"), Audience.MEMBER),
    ("checkout", N_("Check out when you leave an event"), Audience.MEMBER),
    ("appraisal", N_("Democratic appraisal: summary, rating, my grade"), Audience.MEMBER),
    ("appraisal", N_("Democratic appraisal of members: stages, grades"), Audience.SECRETARY),
    ("develop", N_("Member development: files by stage, public notices"), Audience.SECRETARY),
    # A contact of an organisation is neither: /develop is not in their menu.
    ("develop", N_("My membership application, or those I cultivate"), Audience.MEMBER),
    ("develop", N_("My membership application, or those I cultivate"), Audience.APPLICANT),
    ("newevent", N_("Create an event and invite the members"), Audience.SECRETARY),
    ("instructors", N_("Instructors of the district's branches"), Audience.DISTRICT),
    ("targets", N_("Branches' targets and responsibility pledges"), Audience.DISTRICT),
    ("assess", N_("Year-end assessment of a branch (五个好)"), Audience.DISTRICT),
    ("assessment", N_("Year-end assessments of the district"), Audience.DISTRICT),
    ("assessment", N_("My branch's year-end assessment"), Audience.SECRETARY),
    ("assessment", N_("The year-end assessment of my branch"), Audience.PATRON),
    ("assessment_export", N_("The year-end assessments as a spreadsheet"), Audience.COUNTY),
    ("guidance", N_("Branches I guide: console and monthly note"), Audience.INSTRUCTOR),
]
COMMANDS = [Command(name, said, audience) for name, said, *seen in _MENU for audience in seen]


def who_may_press() -> dict[str, Audience]:
    """Who may press each kind of button, by its handler's pattern: what each codec of
    handlers/buttons.py declares. EVERYONE buttons act only on the presser's own data.
    tests/reliability/test_role_matrix.py fails for a registered pattern missing here, and
    presses every privileged one as every other role."""
    return buttons.audiences()


def commands_for(audiences: set[Audience]) -> list[Command]:
    """Each command once, even when several of the person's audiences have it."""
    found = {c.name: c for c in reversed(COMMANDS) if c.audience in audiences}
    return [c for c in COMMANDS if found.get(c.name) is c]


# The newer contacts' first line of /help, in this order when someone holds several.
CONTACT_INTROS = {
    Audience.DISTRICT: N_("You are a contact of a district party working committee. You can:"),
    Audience.INSTRUCTOR: N_("You are a party-building instructor. You can:"),
    Audience.PATRON: N_("You are a county patron of a community. You can:"),
    Audience.RESIDENT_UNIT: N_("You are the contact of a unit located in the community. You can:"),
}


def help_text(t: Translator, actor: Actor, waiting: int = 0) -> str:
    """What this person can do; `waiting` counts the requests a secretary has to decide."""
    audiences = audiences_of(actor)
    if Audience.SECRETARY in audiences:
        intro = t.gettext("You are a branch secretary. You can:")
        if waiting:
            intro = (
                t.ngettext(
                    "{n} request to join the branch is waiting for your decision.",
                    "{n} requests to join the branch are waiting for your decision.",
                    waiting,
                )
                + "\n"
                + intro
            )
    elif Audience.MEMBER in audiences:
        intro = t.gettext("You are a registered member. You can:")
    elif Audience.UNIT in audiences:
        intro = t.gettext("You are the contact of a unit party organisation. You can:")
    elif Audience.COUNTY in audiences:
        intro = t.gettext("You are the contact of the county organisation department. You can:")
    elif found := next((a for a in CONTACT_INTROS if a in audiences), None):
        intro = t.gettext(CONTACT_INTROS[found])
    elif actor.person is not None and actor.person.status == "pending":
        intro = t.gettext("Your application is waiting for the secretary. Meanwhile you can:")
    elif actor.active and actor.person.branch_id is not None:
        # Known to the branch without a role: an applicant for party membership (/develop).
        intro = t.gettext("Your branch knows you; you are not a party member yet. You can:")
    else:
        intro = t.gettext(
            "To join your branch, open the invitation link your branch secretary sent you, "
            "or send /start followed by the invitation code. You can:"
        )
    lines = [intro, ""]
    lines += [f"/{c.name} — {t.gettext(c.description)}" for c in commands_for(audiences)]
    return "\n".join(lines)


async def _set(bot: Bot, commands: list[Command], t: Translator, **scope: object) -> None:
    await bot.set_my_commands(
        [BotCommand(c.name, t.gettext(c.description)[:256]) for c in commands], **scope
    )


# What someone the bot does not know can do; /cancel only means something once they
# are in a conversation, and the conversation says so.
STRANGER_COMMANDS = ("start", "help", "language", "verify")


async def publish_default(bot: Bot, default_locale: str) -> None:
    """The menu of every chat without its own (strangers), in the default language and in
    English for English clients; everyone with a role gets theirs from `publish_for`."""
    public = [c for c in commands_for({Audience.EVERYONE}) if c.name in STRANGER_COMMANDS]
    await _set(bot, public, translator(default_locale))
    await _set(bot, public, translator("en"), language_code="en")
    await _set(bot, public, translator("zh_Hans"), language_code="zh")


async def publish_for(bot: Bot, someone: Actor, locale: str) -> None:
    """A per-chat menu: the person's own commands in the language they chose."""
    await _set(
        bot,
        commands_for(audiences_of(someone)),
        translator(locale),
        scope=BotCommandScopeChat(someone.telegram_id),
    )
