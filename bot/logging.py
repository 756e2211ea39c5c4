"""Logging set-up: one line per event, and the token never written anywhere.

`LOG_FORMAT=json` writes one JSON object a line (python-json-logger) for a log collector;
`LOG_LEVEL` sets the threshold. Warnings and the library's network errors are one line
too: an unreachable Bot API is the operator's to know of, its traceback is not.
"""

from __future__ import annotations

import logging
import warnings

from pythonjsonlogger.json import JsonFormatter
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


class NetworkErrorsInOneLine(logging.Filter):
    """python-telegram-bot logs each failed poll with its traceback (every few seconds while
    the Bot API is away); the operator gets the error's one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        from telegram.error import NetworkError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError):
            record.msg = f"{record.getMessage()} {type(error).__name__}: {error}"
            record.args, record.exc_info, record.exc_text = None, None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    handler.addFilter(NetworkErrorsInOneLine())
    handler.addFilter(RedactSecrets([token]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # A warning, if one comes, is a log line like any other, not a block on stderr.
    logging.captureWarnings(True)
    # Nothing for an operator to act on: our conversations are tracked per person on purpose
    # (see handlers/), and the library's deprecations are for its next upgrade (the tests
    # show them to developers).
    warnings.filterwarnings("ignore", message="If 'per_message=False'")
    warnings.filterwarnings("ignore", category=PTBDeprecationWarning)
