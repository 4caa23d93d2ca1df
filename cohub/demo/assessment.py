"""The demo's assessment round: who answered what, so the results show a group and a gap.

Four people with lived experience (two of the demo's logins and two more
co-producers) place the project lower than the three practitioners from the
crisis team and the council do: the perception gap the results page is
about. The facilitator and the decision-maker answer too, and, one person
each, show as "fewer than 3 people answered". One item has become an action.
All of it fictional, written for cohub.
"""

from __future__ import annotations

from dataclasses import dataclass

ROUND_TITLE = "Autumn check-in: how co-produced are we?"
FRAMEWORKS = ("ladder", "principles")


@dataclass(frozen=True)
class Respondent:
    """A demo person who answers.

    With a ``name`` they are made for the round (a co-producer, the demo's
    password); without, ``email`` names the demo login holding ``role`` in
    demo.toml, skipped when the demo has no one in that role.
    """

    email: str
    taking_part: str
    role: str = "member"
    name: str = ""


RESPONDENTS = (
    Respondent("member", "lived_experience", role="member"),
    Respondent("reporter", "lived_experience", role="community_reporter"),
    Respondent("sol@example.org", "lived_experience", name="Sol (demo co-producer)"),
    Respondent("remi@example.org", "lived_experience", name="Remi (demo co-producer)"),
    Respondent("pat@example.org", "professional", name="Pat (demo crisis team nurse)"),
    Respondent("lee@example.org", "professional", name="Lee (demo council officer)"),
    Respondent("ash@example.org", "professional", name="Ash (demo university researcher)"),
    Respondent("facilitator", "facilitating", role="facilitator"),
    Respondent("decision", "professional", role="decision_maker"),
)

# respondent -> item key -> (answer, comment). Items not named are left unanswered.
ANSWERS: dict[str, dict[str, tuple[str, str]]] = {
    "member": {
        "ladder-now": ("consulting", "We are asked what we think, then it is decided elsewhere."),
        "ladder-decisions": ("informing", ""),
        "assets": ("agree", ""),
        "mutuality": ("disagree", "The vouchers came late twice."),
        "blurring-roles": ("disagree", ""),
    },
    "reporter": {
        "ladder-now": ("engaging", ""),
        "ladder-decisions": ("consulting", ""),
        "assets": ("agree", ""),
        "mutuality": ("neither agree nor disagree", ""),
        "blurring-roles": ("strongly disagree", "Staff still chair every meeting."),
    },
    "sol@example.org": {
        "ladder-now": ("consulting", ""),
        "ladder-decisions": ("consulting", "The budget was set before we came in."),
        "assets": ("strongly agree", ""),
        "mutuality": ("disagree", ""),
        "blurring-roles": ("disagree", ""),
    },
    "remi@example.org": {
        "ladder-now": ("consulting", ""),
        "ladder-decisions": ("don't know", ""),
        "assets": ("agree", "People listen to what we bring."),
        "mutuality": ("agree", ""),
        "blurring-roles": ("don't know", ""),
    },
    "pat@example.org": {
        "ladder-now": ("co-producing", "Peer workers are part of the team now."),
        "ladder-decisions": ("co-designing", ""),
        "assets": ("strongly agree", ""),
        "mutuality": ("agree", ""),
        "blurring-roles": ("agree", ""),
    },
    "lee@example.org": {
        "ladder-now": ("co-designing", ""),
        "ladder-decisions": ("co-producing", ""),
        "assets": ("agree", ""),
        "mutuality": ("strongly agree", ""),
        "blurring-roles": ("strongly agree", ""),
    },
    "ash@example.org": {
        "ladder-now": ("co-producing", ""),
        "ladder-decisions": ("co-designing", ""),
        "assets": ("agree", ""),
        "mutuality": ("agree", "Everyone is paid for their time."),
        "blurring-roles": ("agree", ""),
    },
    "facilitator": {
        "ladder-now": ("co-designing", ""),
        "ladder-decisions": ("engaging", ""),
        "assets": ("agree", ""),
        "mutuality": ("agree", ""),
        "blurring-roles": ("neither agree nor disagree", ""),
    },
    "decision": {
        "ladder-now": ("co-producing", ""),
        "ladder-decisions": ("co-producing", ""),
        "assets": ("strongly agree", ""),
        "mutuality": ("agree", ""),
        "blurring-roles": ("agree", ""),
    },
}

ACTION_ITEM = "ladder-decisions"
ACTION_TEXT = (
    "Where decisions are made: people with lived experience join the budget meeting "
    "before the figures are set, with papers a week ahead."
)
ACTION_DUE_DAYS = 42

# One peer reviewer from another organisation, who has sent their review (ADR 0034):
# the results show the peer figure beside the groups'. Fictional.
PEER_REVIEWER = ("Morgan (demo peer reviewer)", "Eastvale Mental Health Alliance")
PEER_EVIDENCE = (
    (
        "Who sits on the steering group",
        "Since the spring, four of the nine places on the steering group are held by people "
        "with lived experience of crisis care, paid for their time at the same rate as "
        "sessional staff. The group is chaired by the crisis team manager.",
        ("blurring-roles", "ladder-decisions"),
    ),
    (
        "How the project works",
        "Co-producers meet every fortnight, hear stories gathered in the community and choose "
        "the themes the council hears about. The budget for next year is set by the council.",
        (),
    ),
)
PEER_ANSWERS: dict[str, tuple[str, str]] = {
    "ladder-now": ("engaging", "Strong listening, but the decisions still sit with staff."),
    "ladder-decisions": (
        "consulting",
        "The budget was fixed before anyone with lived experience saw it.",
    ),
    "assets": ("agree", ""),
    "mutuality": ("agree", "Paying people at the sessional rate is good practice."),
    "blurring-roles": ("disagree", "A staff member still chairs; a co-chair would change that."),
}

# A round for the whole organisation (ADR 0028): the four issues for embedding and the
# ladder (in its words for an organisation), asked of everyone in any of its projects. The
# same people answer (the demo has one project), each once, in the group worked out across
# the organisation; the gap is again between lived experience and staff (staff place the
# organisation at co-producing, people with lived experience at consulting), and the
# facilitator and the decision-maker stay hidden alone.
ORG_ROUND_TITLE = "Across the organisation: is co-production embedded?"
ORG_FRAMEWORKS = ("embedding", "ladder")
# respondent -> (culture, structure, practice, review, where the organisation is now, where
# its decisions are made); "" leaves that one unanswered.
ORG_ANSWERS: dict[str, tuple[str, str, str, str, str, str]] = {
    "member": ("disagree", "strongly disagree", "agree", "disagree", "consulting", "informing"),
    "reporter": (
        "neither agree nor disagree",
        "disagree",
        "agree",
        "don't know",
        "consulting",
        "consulting",
    ),
    "sol@example.org": ("disagree", "disagree", "agree", "disagree", "informing", "informing"),
    "remi@example.org": ("agree", "disagree", "agree", "", "engaging", "consulting"),
    "pat@example.org": (
        "agree",
        "agree",
        "strongly agree",
        "agree",
        "co-producing",
        "co-designing",
    ),
    "lee@example.org": (
        "strongly agree",
        "agree",
        "agree",
        "agree",
        "co-producing",
        "co-producing",
    ),
    "ash@example.org": (
        "agree",
        "strongly agree",
        "agree",
        "neither agree nor disagree",
        "co-designing",
        "engaging",
    ),
    "facilitator": (
        "agree",
        "neither agree nor disagree",
        "agree",
        "agree",
        "co-designing",
        "co-designing",
    ),
    "decision": (
        "strongly agree",
        "agree",
        "strongly agree",
        "agree",
        "co-producing",
        "co-producing",
    ),
}
ORG_ITEMS = ("culture", "structure", "practice", "review", "ladder-now", "ladder-decisions")
ORG_COMMENTS = {
    ("member", "structure"): "Nobody with lived experience sits on the board.",
    ("lee@example.org", "structure"): "Co-production is in the council's plan for the year.",
}
ORG_ACTION_ITEM = "structure"
ORG_ACTION_TEXT = (
    "Across the organisation: two paid places with lived experience on the board, "
    "chosen by the co-producers of each project."
)
ORG_ACTION_DUE_DAYS = 90
