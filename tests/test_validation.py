import pytest

from domain import validation
from domain.errors import InvalidInput
from tests.refusals import refusal

#: What people type, and what is stored of it.
PHONES = [
    ("13800138000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"),
    ("008613800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    ("010-12345678", "010-12345678"),
    ("0571 8765 4321", "0571-87654321"),
    ("+86 571 87654321", "0571-87654321"),
    ("(0755)1234567", "0755-1234567"),
]
NAMES = [
    ("李明", "李明"),
    ("  张   伟 ", "张 伟"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("John O'Brien", "John O'Brien"),
    ("李\u200b明", "李明"),
]
#: Names typed, and the reason each is refused.
BAD_NAMES = [
    ("李", "name_too_short"),
    ("", "name_too_short"),
    ("李" * 41, "name_too_long"),
    ("<b>李</b>", "name_bad_characters"),
    ("Robert'); DROP TABLE people;--", "name_bad_characters"),
    ("王123", "name_bad_characters"),
    ("😀😀", "name_bad_characters"),
]


@pytest.mark.parametrize(("typed", "stored"), PHONES)
def test_mainland_phones_are_normalised(typed, stored):
    assert validation.mainland_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "12345", "12800138000", "1380013800", "138001380001", "abc", "86", "+1 415 555"]
)
def test_other_phones_are_refused(typed):
    with pytest.raises(InvalidInput):
        validation.mainland_phone(typed)


def test_contact_phones_from_abroad_are_kept_with_their_country_code():
    assert validation.contact_phone("+1 (415) 555-0100") == "+14155550100"
    assert validation.contact_phone("8613800138000") == "13800138000"


@pytest.mark.parametrize(("typed", "stored"), NAMES)
def test_names_are_cleaned(typed, stored):
    assert validation.person_name(typed) == stored


@pytest.mark.parametrize(("typed", "code"), BAD_NAMES)
def test_bad_names_are_refused(typed, code):
    assert refusal(validation.person_name, typed) == code


def test_roster_dates_in_common_forms():
    from datetime import date

    from domain.roster import parse_date

    today = date(2026, 11, 25)
    for text, expected in [
        ("2001-07-01", "2001-07-01"),
        ("2001/7/1", "2001-07-01"),
        ("2001.7.1", "2001-07-01"),
        ("2001年7月1日", "2001-07-01"),
        ("20010701", "2001-07-01"),
        ("2001-07", "2001-07"),
        ("2001年7月", "2001-07"),
        (date(2001, 7, 1), "2001-07-01"),
    ]:
        assert parse_date(text, today) == expected
    for bad in ("明天", "2001-13-01", "2001-02-30", "2030-01-01", "1900-01-01", "7/1/2001"):
        with pytest.raises(InvalidInput):
            parse_date(bad, today)
