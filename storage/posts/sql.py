"""Rows of the posts' tables read as posts and claims."""

from __future__ import annotations

import sqlite3

from domain.post_models import Claim, Post
from storage import rows


def post_of_row(row: sqlite3.Row) -> Post:
    return rows.build(Post, row, retired=row["retired_at"] is not None)


claim_of_row = rows.mapper(Claim)
