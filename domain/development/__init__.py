"""Member development (发展党员): the stages as data (`rules`), a person's file (`files`),
the public notice (`notices`) and what runs on its own (`jobs`). docs/architecture.md."""

from domain.development.jobs import Progress, progress, remind_reviews
from domain.development.rules import STAGE_NAMES, STEP, STEPS, Stage

__all__ = ["STAGE_NAMES", "STEP", "STEPS", "Progress", "Stage", "progress", "remind_reviews"]
