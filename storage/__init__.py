"""SQL, migrations and repositories. Nothing here knows about Telegram."""

from storage.db import Database, utcnow

__all__ = ["Database", "utcnow"]
