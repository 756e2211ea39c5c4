"""/posts, the responsibility posts (设岗定责), wired in one place.

A member's side: `board` (the board, claiming, withdrawing), `survey`, `duties` (duty
records and residents' requests). The secretary's: `stages`, `deciding`, `overviews`,
`assessment`, `editing`, `group_chat` (with /linkgroup). `buttons` declares every button,
`steps` the conversation's steps, `views` how posts read, `notices` how their queued
messages read. Every action is checked again in `domain.posts`.
"""

from __future__ import annotations

from telegram.ext import ConversationHandler, MessageHandler, filters

from handlers.branch_choice import branch_command
from handlers.flow_kit import TYPED, typed_or
from handlers.flow_kit import conversation as conversation_of
from handlers.posts import (
    assessment,
    board,
    deciding,
    duties,
    editing,
    group_chat,
    notices,  # noqa: F401 - registers the renderers of the posts' queued messages
    overviews,
    stages,
    survey,
)
from handlers.posts import buttons as press
from handlers.posts.steps import ADMIN_DRAFT, DRAFT, Step


def conversation() -> ConversationHandler:
    return conversation_of(
        "posts",
        [
            *branch_command("posts", board.show_board),
            press.Survey.handler(survey.start_survey),
            press.RecordDuty.handler(duties.start_duty),
            press.ResidentRequest.handler(duties.start_request),
            press.Back.handler(stages.ask_back_reason),
            press.Reject.handler(deciding.ask_reject_reason),
            press.Rate.handler(assessment.ask_comment),
            press.EditDuties.handler(editing.ask_duties),
            press.EditCapacity.handler(editing.ask_capacity),
            press.EditLimit.handler(editing.ask_limit),
            press.AddPost.handler(editing.ask_new_post),
        ],
        {
            Step.SURVEY_POSTS: [
                press.SurveyToggle.handler(survey.toggle_post),
                press.SurveyDone.handler(survey.survey_done),
            ],
            Step.SURVEY_TIME: [press.SurveyTime.handler(survey.survey_time)],
            Step.SURVEY_SKILLS: typed_or(survey.survey_skills, press.SurveySkip),
            Step.DUTY_POST: [press.DutyPost.handler(duties.duty_post)],
            Step.DUTY_DATE: [
                press.DutyDay.handler(duties.duty_day),
                MessageHandler(TYPED, duties.duty_date_typed),
            ],
            Step.DUTY_TEXT: [MessageHandler(TYPED, duties.duty_text)],
            Step.DUTY_PHOTO: [
                MessageHandler(filters.PHOTO, duties.duty_photo),
                press.DutyNoPhoto.handler(duties.duty_photo),
            ],
            Step.DUTY_HOURS: typed_or(duties.duty_hours, press.DutyHours, press.DutyNoHours),
            Step.DUTY_CONFIRM: [press.DutySave.handler(duties.duty_save)],
            Step.REQUEST_TEXT: [
                press.RequestPost.handler(duties.request_post),
                MessageHandler(TYPED, duties.request_text),
            ],
            Step.BACK_REASON: [MessageHandler(TYPED, stages.back_with_reason)],
            Step.REJECT_REASON: [MessageHandler(TYPED, deciding.reject_with_reason)],
            Step.ASSESS_COMMENT: typed_or(assessment.save_assessment, press.RateNoComment),
            Step.DUTIES_TEXT: [MessageHandler(TYPED, editing.save_duties)],
            Step.CAPACITY_TEXT: [MessageHandler(TYPED, editing.save_capacity)],
            Step.LIMIT_TEXT: [MessageHandler(TYPED, editing.save_limit)],
            Step.NEW_POST_NAME: [MessageHandler(TYPED, editing.save_new_post)],
        },
        DRAFT,
        ADMIN_DRAFT,
        stray=~filters.COMMAND,
    )


def handlers() -> list:
    """The buttons that need no conversation; after `conversation()`."""
    return [
        press.Duties.handler(board.show_duties),
        press.ToClaim.handler(board.list_to_claim),
        press.View.handler(board.view_post),
        press.Claim.handler(board.claim),
        press.JoinWaitingList.handler(board.join_waiting_list),
        press.Mine.handler(board.my_posts),
        press.Withdraw.handler(board.withdraw),
        press.StageMenu.handler(stages.show_stage),
        press.Forward.handler(stages.ask_forward),
        press.ForwardConfirmed.handler(stages.forward),
        press.Pending.handler(deciding.show_pending),
        press.Approve.handler(deciding.approve),
        press.LeaveAgree.handler(deciding.agree_to_leave),
        press.LeaveKeep.handler(deciding.keep_on_post),
        press.Holders.handler(overviews.show_holders),
        press.Summary.handler(overviews.show_summary),
        press.Requests.handler(overviews.show_requests),
        press.Assessment.handler(assessment.assessment_form),
        press.AssessHolder.handler(assessment.pick_rating),
        press.EditPosts.handler(editing.list_posts),
        press.EditPost.handler(editing.show_post),
        press.Retire.handler(editing.ask_retire),
        press.RetireConfirmed.handler(editing.retire),
        press.Publish.handler(group_chat.publish),
        *branch_command("linkgroup", group_chat.link_group),
    ]
