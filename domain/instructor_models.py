"""An instructor's monthly note, as plain data (storage/instructors.py reads it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Note:
    id: int
    branch_id: int
    person_id: int
    month: str  # YYYY-MM
    guided: str
    problems: str
    filed_at: datetime
