"""`python -m bot` with its clock moved by PARTYBOT_CLOCK_SHIFT seconds, for crash tests of
jobs that fire on a given day: the scheduler, the jobs and the sender's working time all
read `storage.db.utcnow`, so replacing it before the bot is imported moves them together,
and the same shift after a restart keeps the bot's time running on from where it was.

    PARTYBOT_CLOCK_SHIFT=... python -m tests.reliability.shifted_clock run
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import storage
import storage.db

_real = storage.db.utcnow
_shift = timedelta(seconds=float(os.environ["PARTYBOT_CLOCK_SHIFT"]))


def shifted() -> datetime:
    return _real() + _shift


storage.db.utcnow = storage.utcnow = shifted

from bot.cli import main  # noqa: E402 - must see the shifted clock when imported

raise SystemExit(main())
