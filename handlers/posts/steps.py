"""The steps of the /posts conversation and where its drafts are kept."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """One conversation serves the member and the secretary. The values are persisted
    (ptb_conversations): a rename needs a migration of the stored conversations."""

    SURVEY_POSTS = "posts.survey.posts"
    SURVEY_TIME = "posts.survey.time"
    SURVEY_SKILLS = "posts.survey.skills"
    DUTY_POST = "posts.duty.post"
    DUTY_DATE = "posts.duty.date"
    DUTY_TEXT = "posts.duty.text"
    DUTY_PHOTO = "posts.duty.photo"
    DUTY_HOURS = "posts.duty.hours"
    DUTY_CONFIRM = "posts.duty.confirm"
    REQUEST_TEXT = "posts.request.text"
    BACK_REASON = "posts.admin.back_reason"
    REJECT_REASON = "posts.admin.reject_reason"
    ASSESS_COMMENT = "posts.admin.assess_comment"
    DUTIES_TEXT = "posts.admin.duties"
    CAPACITY_TEXT = "posts.admin.capacity"
    LIMIT_TEXT = "posts.admin.limit"
    NEW_POST_NAME = "posts.admin.new_post"


# user_data keys of a member's and a secretary's draft.
DRAFT = "posts"
ADMIN_DRAFT = "posts_admin"
