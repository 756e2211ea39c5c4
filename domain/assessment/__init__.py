"""The district's part in a branch's year (policy 三、2–3): creation targets and the
responsibility pledge at its start, the "五个好" assessment at its end, seen by the
branch's secretaries and patron, and the table for the county's commendation meeting."""

from domain.assessment.assessing import assess, result_for, results_for_district
from domain.assessment.common import district_branches, require_district
from domain.assessment.export import county_table
from domain.assessment.figures import year_figures
from domain.assessment.models import CRITERIA, GRADES, Assessment, Criterion, Grade, Targets
from domain.assessment.targets import record_pledge, set_targets, targets_of

__all__ = [
    "CRITERIA",
    "GRADES",
    "Assessment",
    "Criterion",
    "Grade",
    "Targets",
    "assess",
    "county_table",
    "district_branches",
    "record_pledge",
    "require_district",
    "result_for",
    "results_for_district",
    "set_targets",
    "targets_of",
    "year_figures",
]
