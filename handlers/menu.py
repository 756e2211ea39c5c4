"""The commands each audience sees: in /help and in Telegram's command menu."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.i18n import N_, Translator, translator
from domain.access import Actor
from domain.models import Role


class Audience(StrEnum):
    EVERYONE = "everyone"
    MEMBER = "member"
    SECRETARY = "secretary"


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    audience: Audience


COMMANDS: list[Command] = [
    Command("start", N_("Start, or join your branch with an invitation"), Audience.EVERYONE),
    Command("help", N_("What I can do for you"), Audience.EVERYONE),
    Command("language", N_("Switch language: 中文 / English"), Audience.EVERYONE),
    Command("cancel", N_("Stop what you are doing"), Audience.EVERYONE),
    Command("hours", N_("Log activity hours, see your totals"), Audience.MEMBER),
    Command("events", N_("Upcoming events: answer, calendar, reminders"), Audience.MEMBER),
    Command("checkin", N_("Check in at an event"), Audience.MEMBER),
    Command("checkout", N_("Check out when you leave an event"), Audience.MEMBER),
    Command("newevent", N_("Create an event and invite the members"), Audience.SECRETARY),
]


def audiences_of(actor: Actor) -> set[Audience]:
    found = {Audience.EVERYONE}
    if actor.active:
        found.add(Audience.MEMBER)
    if actor.has(Role.SECRETARY):
        found.add(Audience.SECRETARY)
    return found


def commands_for(audiences: set[Audience]) -> list[Command]:
    return [c for c in COMMANDS if c.audience in audiences]


def help_text(t: Translator, actor: Actor, waiting: int = 0) -> str:
    """What this person can do; `waiting` counts the requests a secretary has to decide."""
    audiences = audiences_of(actor)
    if Audience.SECRETARY in audiences:
        intro = t.gettext("You are a branch secretary. You can:")
        if waiting:
            intro = (
                t.ngettext(
                    "{n} application is waiting for your decision.",
                    "{n} applications are waiting for your decision.",
                    waiting,
                )
                + "\n"
                + intro
            )
    elif Audience.MEMBER in audiences:
        intro = t.gettext("You are a registered member. You can:")
    elif actor.person is not None and actor.person.status == "pending":
        intro = t.gettext("Your application is waiting for the secretary. Meanwhile you can:")
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


async def publish_default(bot: Bot, default_locale: str) -> None:
    """The menu everyone sees, in the default language and in English for English clients."""
    public = commands_for({Audience.EVERYONE, Audience.MEMBER})
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
