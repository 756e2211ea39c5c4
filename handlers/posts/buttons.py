"""Every button of the responsibility posts, declared once (handlers/buttons.py).

Prefixes that were readable and mean the same are kept (`posts:claim`, `posts:withdraw`,
`posts:back`); the abbreviated ones were renamed (`posts:sv:t` is `posts:survey-toggle`,
`posts:edd` `posts:edit-duties`, `posts:lok` `posts:leave-agree`, ...). The old data matches
no codec, so a button sent before is answered as stale, never misread.
"""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.post_models import Availability, Rating, Stage
from handlers.buttons import Button, family

MEMBER, SECRETARY = Audience.MEMBER, Audience.SECRETARY

# ------------------------------------------------------------------ a member's board


class Survey(Button, prefix="posts:survey", audience=MEMBER):
    """Start the survey."""


class RecordDuty(Button, prefix="posts:duty", audience=MEMBER):
    """Start a duty record."""


class ResidentRequest(Button, prefix="posts:resident-request", audience=MEMBER):
    """Start noting a resident's request."""


class Duties(Button, prefix="posts:duties", audience=MEMBER):
    """Every post with its duties."""


class ToClaim(Button, prefix="posts:list", audience=MEMBER):
    """The posts to choose one to claim."""


# One post: its page, and the two ways to ask for it (claim it, or wait for a place).
View, Claim, JoinWaitingList = family(
    MEMBER, "posts:view", "posts:claim", "posts:waiting-list", post_id=int
)


class Mine(Button, prefix="posts:mine", audience=MEMBER):
    """The member's claims and results."""


class Withdraw(Button, prefix="posts:withdraw", audience=MEMBER):
    claim_id: int


# ------------------------------------------------------------------ the survey


class SurveyToggle(Button, prefix="posts:survey-toggle", audience=MEMBER):
    post_id: int


class SurveyDone(Button, prefix="posts:survey-done", audience=MEMBER):
    """The posts are chosen."""


class SurveyTime(Button, prefix="posts:survey-time", audience=MEMBER):
    availability: Availability


class SurveySkip(Button, prefix="posts:survey-skip", audience=MEMBER):
    """No skills to tell."""


# ------------------------------------------------------------------ a duty record


class DutyPost(Button, prefix="posts:duty-post", audience=MEMBER):
    post_id: int


class DutyDay(Button, prefix="posts:duty-day", audience=MEMBER):
    days_ago: Literal[0, 1]


class DutyNoPhoto(Button, prefix="posts:duty-no-photo", audience=MEMBER):
    """Skip the photo."""


class DutyHours(Button, prefix="posts:duty-hours", audience=MEMBER):
    half_hours: int


class DutyNoHours(Button, prefix="posts:duty-no-hours", audience=MEMBER):
    """Skip the hours."""


class DutySave(Button, prefix="posts:duty-save", audience=MEMBER):
    """Save the record as reviewed."""


class RequestPost(Button, prefix="posts:request-post", audience=MEMBER):
    post_id: int


# ------------------------------------------------------------------ the secretary's board


class StageMenu(Button, prefix="posts:stage", audience=SECRETARY):
    """The stage and the buttons to move it."""


# Forward asks to confirm; `seen` is the stage the secretary saw.
Forward, ForwardConfirmed = family(SECRETARY, "posts:forward", "posts:forward-ok", seen=Stage)


class Back(Button, prefix="posts:back", audience=SECRETARY):
    seen: Stage


class Pending(Button, prefix="posts:pending", audience=SECRETARY):
    """Claims and leave requests to decide."""


# Reject asks for the reason.
Approve, Reject = family(SECRETARY, "posts:approve", "posts:reject", claim_id=int)
LeaveAgree, LeaveKeep = family(SECRETARY, "posts:leave-agree", "posts:leave-keep", claim_id=int)


class Holders(Button, prefix="posts:holders", audience=SECRETARY):
    """Who holds, waits for or claimed each post."""


class Summary(Button, prefix="posts:summary", audience=SECRETARY):
    """The survey's counts."""


class Requests(Button, prefix="posts:requests", audience=SECRETARY):
    """The year's residents' requests."""


class Assessment(Button, prefix="posts:assess", audience=SECRETARY):
    """The holders to assess."""


class AssessHolder(Button, prefix="posts:assess-holder", audience=SECRETARY):
    claim_id: int


class Rate(Button, prefix="posts:rate", audience=SECRETARY):
    claim_id: int
    rating: Rating


class RateNoComment(Button, prefix="posts:rate-no-comment", audience=SECRETARY):
    """Save the rating without a comment."""


# ------------------------------------------------------------------ editing posts


class EditPosts(Button, prefix="posts:edit", audience=SECRETARY):
    """The branch's posts to choose one to change."""


# One post to change: its screen, then its duties or its number of places.
EditPost, EditDuties, EditCapacity = family(
    SECRETARY, "posts:edit-post", "posts:edit-duties", "posts:edit-capacity", post_id=int
)


class EditLimit(Button, prefix="posts:edit-limit", audience=SECRETARY):
    branch_id: int


# Retire asks to confirm.
Retire, RetireConfirmed = family(SECRETARY, "posts:retire", "posts:retire-ok", post_id=int)


class AddPost(Button, prefix="posts:add", audience=SECRETARY):
    """Asks for the new post's name."""


class Publish(Button, prefix="posts:publish", audience=SECRETARY):
    """The holders to the branch's group chat."""
