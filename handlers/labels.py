"""Display names of domain values, marked for translation."""

from __future__ import annotations

from domain.i18n import N_
from domain.models import Category

# The categories an applicant may choose; cadres come in through a cadre invitation.
CATEGORY_LABELS: dict[Category, str] = {
    Category.RESIDENT: N_("Resident member"),
    Category.MOBILE: N_("Mobile member (working away)"),
    Category.UNEMPLOYED: N_("Member without employment"),
    Category.ACTIVIST: N_("Activist applying for membership"),
}
CATEGORY_NAMES: dict[Category, str] = CATEGORY_LABELS | {Category.CADRE: N_("Cadre")}
