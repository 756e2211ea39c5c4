"""Configuration from the environment (and an optional `.env` file).

Everything an operator may set lives here, validated once at start-up, so a typo in a
variable fails loudly with one line instead of deep inside a handler.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.working_time import DEFAULT_QUIET_HOURS, DEFAULT_WORKING_HOURS, Defaults, parse_spans

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
SUPPORTED_LOCALES = ("zh_Hans", "en")


class ConfigError(Exception):
    """A configuration problem, worded for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None)
    telegram_bot_username: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = "sqlite:///data/partybot.db"
    bot_timezone: str = "Asia/Shanghai"
    bot_default_locale: str = "zh_Hans"
    bot_working_hours: str = DEFAULT_WORKING_HOURS
    bot_quiet_hours: str = DEFAULT_QUIET_HOURS
    # Telegram's overall limit, shared by replies and the outbox (bot/throttle.SharedBudget).
    outbox_per_second: float = Field(default=30, gt=0)
    outbox_per_chat_seconds: float = Field(default=1, ge=0)
    # Telegram's `allow_paid_broadcast` for large broadcasts: up to 1,000 messages/s, paid
    # in Stars from the bot's balance; off unless the operator turns it on.
    broadcast_paid: bool = False
    broadcast_paid_per_second: float = Field(default=1000, gt=0)
    outbox_concurrency: int = Field(default=8, ge=1)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff_seconds: float = Field(default=2, ge=0)
    outbox_send_timeout: float = Field(default=20, gt=0)
    outbox_poll_seconds: float = Field(default=5, gt=0)
    # Several instances on PostgreSQL: how long a claimed message stays its sender's before
    # another instance may take it back (renewed while in flight; keep it above a send's
    # OUTBOX_SEND_TIMEOUT). What a dead instance had in flight goes again after it and a
    # quarter of it: 22 s keeps that within the 30 s of a takeover (docs/scaling.md).
    outbox_lease_seconds: float = Field(default=22, gt=0)
    # A font with Chinese glyphs for certificate cards and report charts; unset: the first
    # of domain.fonts.CANDIDATES found.
    bot_font: Path | None = None
    backup_dir: Path | None = None
    # Where the bot keeps files beside its database (heartbeat, backups, broadcast files):
    # by default the SQLite file's folder, or ./data when the database is PostgreSQL's.
    data_dir: Path | None = None
    backup_keep_days: int = Field(default=14, ge=1)
    backup_time: str = "03:30"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # `partybot health` fails when no poll, webhook delivery, sender pass or scheduler tick
    # succeeded for this long.
    health_max_silence: float = Field(default=120, gt=0)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("bot_working_hours", "bot_quiet_hours")
    @classmethod
    def _spans(cls, value: str) -> str:
        parse_spans(value)
        return value

    @field_validator("bot_default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        normalised = value.replace("-", "_")
        for locale in SUPPORTED_LOCALES:
            if normalised.lower() == locale.lower():
                return locale
        raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")

    @field_validator("backup_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("expected HH:MM, e.g. 03:30")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("expected sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def paid_pace(self) -> tuple[float, float] | None:
        """(free, paid) messages per second when large broadcasts may be paid."""
        if not self.broadcast_paid:
            return None
        return self.outbox_per_second, self.broadcast_paid_per_second

    @property
    def worktime_defaults(self) -> Defaults:
        return Defaults(self.bot_timezone, self.bot_working_hours, self.bot_quiet_hours)

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite:///")

    @property
    def database(self) -> str | Path:
        """What storage.db.Database opens: the PostgreSQL URL or the SQLite file."""
        return self.database_url if self.is_postgres else self.database_path

    @property
    def database_path(self) -> Path:
        """The SQLite file (a PostgreSQL database has none)."""
        if self.is_postgres:
            raise ConfigError("DATABASE_URL is a PostgreSQL database, not a file")
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def files_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir
        return Path("data") if self.is_postgres else self.database_path.parent

    @property
    def backups_path(self) -> Path:
        return self.backup_dir or self.files_dir / "backups"

    @property
    def backup_at(self) -> time:
        hour, minute = map(int, self.backup_time.split(":"))
        return time(hour, minute, tzinfo=self.tz)

    @property
    def heartbeat_path(self) -> Path:
        return self.files_dir / "heartbeat"

    def token(self) -> str:
        """The token, checked; raises ConfigError when missing or malformed."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set; get one from @BotFather")
        value = self.telegram_bot_token.get_secret_value().strip()
        if not TOKEN_RE.match(value):
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed; expected <digits>:<secret>")
        return value

    def describe(self) -> dict[str, str]:
        """The effective configuration for the start-up log; the token never appears."""
        return {
            "telegram_base_url": self.telegram_base_url,
            "telegram_base_file_url": self.telegram_base_file_url,
            "database_url": self.database_url,
            "bot_timezone": self.bot_timezone,
            "bot_default_locale": self.bot_default_locale,
            "bot_working_hours": self.bot_working_hours,
            "bot_quiet_hours": self.bot_quiet_hours,
            "outbox_per_second": str(self.outbox_per_second),
            "broadcast_paid": (
                f"on, {self.broadcast_paid_per_second:g}/s" if self.broadcast_paid else "off"
            ),
            "bot_font": str(self.bot_font or "(searched)"),
            "backups": f"{self.backups_path} at {self.backup_time}, {self.backup_keep_days} days",
            "log": f"{self.log_level} {self.log_format}",
            "token": "set" if self.telegram_bot_token else "missing",
        }


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"{field}: {first['msg']}") from None
