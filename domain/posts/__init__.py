"""Responsibility posts (设岗定责): who may do what, and every change with its audit entry.

Each branch gets the county's ten posts on first use. The branch's current cycle is its
latest year; it starts at the survey when the branch first uses posts, and moving forward
from assessment opens the next year's survey. `today` is the caller's date in the bot's
time zone, so tests pass a fixed one.

One module per thing a person does: `stages` (the secretary moves the year on), `survey`,
`claims` (claim, withdraw, decide), `waiting_list`, `duties` (record what was done, note a
resident's request), `assessment`, `editing` (the secretary's post settings) and
`group_chat`; `board` is what everyone reads, `common` what they share. The names below
are handed on so callers write `posts.claim(...)`.
"""

from domain.posts.assessment import (
    HolderRecord,
    PostRecord,
    Rated,
    assess,
    assessment_sheet,
    holder_record,
    my_results,
    people_posts,
    person_posts,
)
from domain.posts.board import (
    Board,
    PostView,
    all_posts,
    board,
    member_board,
    post_by_id,
    secretary_board,
)
from domain.posts.claims import (
    ClaimResult,
    claim,
    decide_claim,
    decide_leave,
    join_waiting_list,
    pending,
    withdraw,
)
from domain.posts.common import (
    BRANCH_CHAT,
    NOTICE_TEMPLATE,
    PUBLICATION_TEMPLATE,
    Holder,
    cycle_of,
    member,
)
from domain.posts.duties import (
    ResidentRequest,
    check_duty_date,
    my_duties,
    note_request,
    record_duty,
    resident_requests,
)
from domain.posts.editing import (
    add_post,
    edit_duties,
    member_limit,
    retire,
    set_capacity,
    set_member_limit,
)
from domain.posts.group_chat import link_branch_chat, publication
from domain.posts.stages import StageMove, advance, go_back
from domain.posts.survey import SurveySummary, answer_survey, survey_summary
from domain.posts.waiting_list import free_places_of

__all__ = [
    "BRANCH_CHAT",
    "NOTICE_TEMPLATE",
    "PUBLICATION_TEMPLATE",
    "Board",
    "ClaimResult",
    "Holder",
    "HolderRecord",
    "PostRecord",
    "PostView",
    "Rated",
    "ResidentRequest",
    "StageMove",
    "SurveySummary",
    "add_post",
    "advance",
    "all_posts",
    "answer_survey",
    "assess",
    "assessment_sheet",
    "board",
    "check_duty_date",
    "claim",
    "cycle_of",
    "decide_claim",
    "decide_leave",
    "edit_duties",
    "free_places_of",
    "go_back",
    "holder_record",
    "join_waiting_list",
    "link_branch_chat",
    "member",
    "member_board",
    "member_limit",
    "my_duties",
    "my_results",
    "note_request",
    "pending",
    "people_posts",
    "person_posts",
    "post_by_id",
    "publication",
    "record_duty",
    "resident_requests",
    "retire",
    "secretary_board",
    "set_capacity",
    "set_member_limit",
    "survey_summary",
    "withdraw",
]
