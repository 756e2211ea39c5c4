"""SQL of the responsibility posts. Writers take a connection inside the caller's
transaction; readers use the database's reader connection.

By table: `catalog` (posts, their settings and the year's cycle), `survey`, `claims`,
`duties` (with residents' requests), `assessments` and `chat_links`; `sql` holds what
they share. The names below are handed on so callers write `store.get_post(...)`.
"""

from storage.posts.assessments import (
    assessments_in,
    assessments_of,
    held_claims_of,
    save_assessment,
)
from storage.posts.catalog import (
    active_members,
    add_post,
    branch_posts,
    create_cycle,
    get_post,
    is_seeded,
    latest_cycle,
    member_limit,
    move_cycle,
    posts_by_id,
    seed,
    set_member_limit,
    update_post,
)
from storage.posts.chat_links import link_chat, linked_chat
from storage.posts.claims import (
    branch_claims,
    claims_of_post,
    get_claim,
    insert_claim,
    open_claim,
    open_claims_of,
    places_taken,
    set_claim_status,
)
from storage.posts.duties import (
    duties_done,
    duties_of,
    insert_duty,
    insert_request,
    link_ledger_entry,
    requests_in,
)
from storage.posts.survey import save_survey, survey_counts, survey_skills

__all__ = [
    "active_members",
    "add_post",
    "assessments_in",
    "assessments_of",
    "branch_claims",
    "branch_posts",
    "claims_of_post",
    "create_cycle",
    "duties_done",
    "duties_of",
    "get_claim",
    "get_post",
    "held_claims_of",
    "insert_claim",
    "insert_duty",
    "insert_request",
    "is_seeded",
    "latest_cycle",
    "link_chat",
    "link_ledger_entry",
    "linked_chat",
    "member_limit",
    "move_cycle",
    "open_claim",
    "open_claims_of",
    "places_taken",
    "posts_by_id",
    "requests_in",
    "save_assessment",
    "save_survey",
    "seed",
    "set_claim_status",
    "set_member_limit",
    "survey_counts",
    "survey_skills",
    "update_post",
]
