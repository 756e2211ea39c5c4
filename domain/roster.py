"""Importing a branch's roster from a spreadsheet: validation, matching, invitations.

The file format is a contract with the secretaries' existing registers, so the column
headers are Chinese whatever language the bot speaks (`TEMPLATE_COLUMNS`). An import is all
or nothing: any bad row and nothing is written; the caller gets every problem at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain import validation
from domain.access import Actor, require
from domain.effects import effect
from domain.errors import InvalidInput, NotFound
from domain.models import Category, Invite, InviteRole, PersonStatus, Role
from domain.onboarding import new_code
from domain.spreadsheets import Cell, Sheet, Table, write_workbook
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import branches, invites, people, roster
from storage.db import Database, utcnow

INVITE_DAYS = 30
EARLIEST_JOIN = date(1921, 7, 1)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()
    example: Any = None


TEMPLATE_COLUMNS = [
    Column("name", "姓名", True, ("name",), "李明"),
    Column("phone", "手机号", True, ("手机", "电话", "联系电话", "phone"), "13800138000"),
    Column("category", "类别", True, ("党员类别", "category"), "居民党员"),
    Column("joined_on", "入党日期", False, ("入党时间", "joined_on"), "2001-07-01"),
    Column("telegram_id", "Telegram ID", False, ("telegram", "telegram_id"), None),
]
COLUMN_HEADERS = {c.key: c.header for c in TEMPLATE_COLUMNS}

# What registers write in the 类别 column, and the codes themselves.
CATEGORY_WORDS: dict[str, Category] = {
    "居民党员": Category.RESIDENT,
    "居民": Category.RESIDENT,
    "流动党员": Category.MOBILE,
    "流动": Category.MOBILE,
    "下岗职工党员": Category.UNEMPLOYED,
    "下岗职工": Category.UNEMPLOYED,
    "下岗": Category.UNEMPLOYED,
    "党员干部": Category.CADRE,
    "干部": Category.CADRE,
    "副科级以上党员干部": Category.CADRE,
    "入党积极分子": Category.ACTIVIST,
    "积极分子": Category.ACTIVIST,
} | {c.value: c for c in Category}

_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None  # a key of COLUMN_HEADERS
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    phone: str
    category: Category
    joined_on: str | None
    telegram_id: int | None


@dataclass(frozen=True)
class Imported:
    row: int
    person_id: int
    name: str
    phone: str
    invite_code: str | None
    matched: bool


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    imported: list[Imported] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(not i.matched for i in self.imported)

    @property
    def matched(self) -> int:
        return sum(i.matched for i in self.imported)


class _Rejected(Exception):
    """Rolls the import back when a row conflicts with what is already stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def template() -> bytes:
    columns = Sheet(
        "党员名册",
        [f"{c.header}*" if c.required else c.header for c in TEMPLATE_COLUMNS],
        [[c.example for c in TEMPLATE_COLUMNS]],
    )
    notes = Sheet(
        "填写说明",
        ["列", "说明"],
        [
            ["姓名*", "必填，与党员名册一致"],
            ["手机号*", "必填，11 位手机号或带区号的固定电话"],
            ["类别*", "必填：居民党员、流动党员、下岗职工党员、党员干部、入党积极分子"],
            ["入党日期", "选填：2001-07-01、2001/7/1、2001年7月1日 或 2001-07"],
            ["Telegram ID", "选填：成员的 Telegram 数字 ID"],
            ["", "请删除示例行；不要使用公式；最多 2000 行"],
        ],
    )
    return write_workbook([columns, notes])


def column_positions(headers: list[str]) -> dict[str, int]:
    """Where each known column is; InvalidInput naming every required one that is missing."""
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        folded = header.lower()
        for column in TEMPLATE_COLUMNS:
            names = {column.header.lower(), *(a.lower() for a in column.aliases)}
            if folded in names and column.key not in positions:
                positions[column.key] = index
    missing = [c.header for c in TEMPLATE_COLUMNS if c.required and c.key not in positions]
    if missing:
        raise InvalidInput("columns_missing", columns="、".join(missing))
    return positions


def parse_date(value: Any, today: date) -> str:
    """An ISO date (or year-month, as many registers keep it) from the forms people type."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        found = value.isoformat()
        day = value
    else:
        text = validation.clean_text(str(value))
        full = _FULL_DATE.match(text) or _COMPACT.match(text)
        month = _MONTH.match(text)
        try:
            if full:
                day = date(int(full[1]), int(full[2]), int(full[3]))
                found = day.isoformat()
            elif month:
                day = date(int(month[1]), int(month[2]), 1)
                found = f"{day.year:04d}-{day.month:02d}"
            else:
                raise InvalidInput("roster_date_invalid")
        except ValueError:
            raise InvalidInput("roster_date_invalid") from None
    if not EARLIEST_JOIN.replace(day=1) <= day <= today:
        raise InvalidInput("roster_date_out_of_range")
    return found


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores a typed phone number or id as a number
    return "" if value is None else str(value)


def _category(value: Any) -> Category:
    found = CATEGORY_WORDS.get(validation.clean_text(_text(value)).lower())
    if found is None:
        raise InvalidInput("category_unknown")
    return found


def _telegram_id(value: Any) -> int:
    text = validation.clean_text(_text(value))
    if not text.isdigit() or not 0 < int(text) < 2**53:
        raise InvalidInput("telegram_id_invalid")
    return int(text)


def validate(table: Table, today: date) -> tuple[list[RosterRow], list[RowError]]:
    positions = column_positions(table.headers)
    good: list[RosterRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, object], int] = {}
    for number, cells in table.rows:
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for key, index in positions.items():
            cell = cells[index] if index < len(cells) else Cell(None)
            if cell.formula:
                row_errors.append(RowError(number, key, "cell_formula"))
                continue
            if cell.empty:
                if next(c for c in TEMPLATE_COLUMNS if c.key == key).required:
                    row_errors.append(RowError(number, key, "cell_empty"))
                values[key] = None
                continue
            try:
                values[key] = _parse(key, cell.value, today)
            except InvalidInput as exc:
                row_errors.append(RowError(number, key, exc.code, exc.params))
        for key in ("phone", "telegram_id"):
            value = values.get(key)
            if value is None:
                continue
            earlier = first_seen.setdefault((key, value), number)
            if earlier != number:
                row_errors.append(RowError(number, key, "duplicate_in_file", {"row": earlier}))
        if row_errors:
            errors += row_errors
            continue
        good.append(
            RosterRow(
                number,
                values["name"],
                values["phone"],
                values["category"],
                values.get("joined_on"),
                values.get("telegram_id"),
            )
        )
    return good, errors


def _parse(key: str, value: Any, today: date) -> Any:
    if key == "name":
        return validation.person_name(_text(value))
    if key == "phone":
        return validation.mainland_phone(_text(value))
    if key == "category":
        return _category(value)
    if key == "joined_on":
        return parse_date(value, today)
    return _telegram_id(value)


async def import_roster(
    db: Database,
    actor: Actor | None,
    branch_id: int,
    table: Table,
    *,
    today: date,
) -> ImportResult:
    """Validate every row, then write all of them in one transaction, or nothing.

    `actor` is None for the operator's command line; in the chat it must be a secretary of
    the branch. A row matching a stored person (same phone in the branch, or same Telegram
    id) updates that person instead of adding a second one.
    """
    if actor is not None:
        require(actor, Role.SECRETARY, branch_id)
    if await branches.get(db, branch_id) is None:
        raise NotFound("branch_unknown", branch=branch_id)
    rows, errors = validate(table, today)
    if errors:
        return ImportResult(errors=errors)
    try:
        imported = await _write(db, actor, branch_id, rows)
    except _Rejected as rejected:
        return ImportResult(errors=rejected.errors)
    return ImportResult(imported=imported)


@effect
async def _write(
    db: Database, actor: Actor | None, branch_id: int, rows: list[RosterRow]
) -> list[Imported]:
    now = utcnow()
    imported: list[Imported] = []
    conflicts: list[RowError] = []
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        conn = work.conn
        by = work.person.id if work.person else None
        for row in rows:
            existing = await roster.match(conn, branch_id, row.phone, row.telegram_id)
            if existing is not None and existing.branch_id != branch_id:
                conflicts.append(RowError(row.row, "telegram_id", "telegram_id_elsewhere"))
                continue
            if conflicts:
                continue
            if existing is not None:
                await roster.refresh(conn, existing.id, row.category, row.joined_on)
                if existing.status is PersonStatus.REJECTED:
                    # An applicant turned down earlier whom the roster lists as a member: the
                    # roster is the branch's own record, so they are a member now.
                    await people.update(conn, existing.id, status=PersonStatus.ACTIVE)
                if existing.status is not PersonStatus.PENDING and (role := _role(row)):
                    # Also a secretary or a unit's contact: the roster makes them a member.
                    await people.grant_role(conn, existing.id, branch_id, role, by)
                imported.append(Imported(row.row, existing.id, row.name, row.phone, None, True))
                continue
            person_id = await _create(work, row)
            code = None
            if row.telegram_id is None:
                code = new_code()
                role = InviteRole.CADRE if row.category is Category.CADRE else InviteRole.MEMBER
                expires_at = now + timedelta(days=INVITE_DAYS)
                personal = Invite(0, code, branch_id, role, 1, expires_at, person_id=person_id)
                await invites.create(conn, personal, by)
            imported.append(Imported(row.row, person_id, row.name, row.phone, code, False))
        if conflicts:
            raise _Rejected(conflicts)
        await work.audit(
            "roster.imported",
            "branch",
            branch_id,
            created=sum(not i.matched for i in imported),
            matched=sum(i.matched for i in imported),
        )
    return imported


def _role(row: RosterRow) -> Role | None:
    """None for 入党积极分子: candidates, never counted as members (domain/access.py)."""
    if row.category is Category.ACTIVIST:
        return None
    return Role.CADRE if row.category is Category.CADRE else Role.MEMBER


async def _create(work: UnitOfWork, row: RosterRow) -> int:
    branch_id = work.branch_id
    assert branch_id is not None
    person_id = await people.insert(
        work.conn,
        telegram_id=row.telegram_id,
        branch_id=branch_id,
        name=row.name,
        phone=row.phone,
        category=row.category,
    )
    await roster.refresh(work.conn, person_id, row.category, row.joined_on)
    by = work.person.id if work.person else None
    if role := _role(row):
        await people.grant_role(work.conn, person_id, branch_id, role, by)
    await work.audit("person.imported", "person", person_id, row=row.row)
    return person_id
