"""Display names of domain values, marked for translation."""

from __future__ import annotations

from domain.activity import ActivityKind, CheckMethod
from domain.i18n import N_
from domain.models import Category

# Kinds of activity, as hours are logged and events created.
KIND_LABELS: dict[ActivityKind, str] = {
    ActivityKind.LESSON: N_("Party lesson"),
    ActivityKind.FILM: N_("Education film"),
    ActivityKind.VOLUNTEER: N_("Volunteer service"),
    ActivityKind.POST_DUTY: N_("Post duty"),
    ActivityKind.CO_BUILDING: N_("Co-building with resident units"),
    ActivityKind.OTHER: N_("Other"),
}

# The categories an applicant may choose; cadres come in through a cadre invitation.
CATEGORY_LABELS: dict[Category, str] = {
    Category.RESIDENT: N_("Resident member"),
    Category.MOBILE: N_("Mobile member (working away)"),
    Category.UNEMPLOYED: N_("Member without employment"),
    Category.ACTIVIST: N_("Activist applying for membership"),
}
CATEGORY_NAMES: dict[Category, str] = CATEGORY_LABELS | {Category.CADRE: N_("Cadre")}

# How someone's attendance was recorded.
METHOD_LABELS: dict[CheckMethod, str] = {
    CheckMethod.CODE: N_("code"),
    CheckMethod.LOCATION: N_("live location"),
    CheckMethod.SECRETARY: N_("recorded by the secretary"),
}
