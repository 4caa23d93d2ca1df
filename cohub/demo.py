"""A demo project to explore cohub with: people, stories, themes and quotes.

Everything the demo holds is fictional and written for cohub. It is made
through the same services the product uses (only the organisation, the users
and the organisation membership, which have no service, are written directly),
so the demo also shows those services working together.

``demo_load`` is safe to run again: each thing is keyed by its slug or email
and made only when absent, and what belongs to the demo project (storytellers,
stories, themes, quotes) is made only together with the project. A second run
therefore adds nothing, and never deletes or overwrites what someone changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from cohub.apps.accounts.models import (
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    User,
)
from cohub.apps.projects.models import Project, ProjectRole

DEMO_PASSWORD = "demo-cohub-2026"  # noqa: S105 - published on purpose: demo data only
DEMO_ORGANISATION_SLUG = "riverside-demo"
DEMO_PROJECT_SLUG = "demo"

FACILITATOR = "facilitator@example.org"
REPORTER = "reporter@example.org"
MEMBER = "member@example.org"
DECISION_MAKER = "decision@example.org"
ORG_ADMIN = "admin@example.org"

# email, display name, what they can do in the demo
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    (FACILITATOR, "Fran (demo facilitator)", "Facilitator: runs the project"),
    (REPORTER, "Rae (demo community reporter)", "Community reporter: gathers stories"),
    (MEMBER, "Mo (demo co-producer)", "Co-producer: codes stories and themes"),
    (DECISION_MAKER, "Dee (demo decision-maker)", "Decision-maker: reads the findings"),
    (ORG_ADMIN, "Ade (demo organisation admin)", "Organisation admin: oversees all projects"),
)

PROJECT_ROLES = {
    REPORTER: ProjectRole.COMMUNITY_REPORTER,
    MEMBER: ProjectRole.MEMBER,
    DECISION_MAKER: ProjectRole.DECISION_MAKER,
}


@dataclass(frozen=True)
class DemoInfo:
    """How to log in to the demo, and whether this run made the demo project."""

    email: str
    password: str
    project_slug: str
    created: bool
    accounts: tuple[tuple[str, str], ...] = field(default=())


OPENING_QUESTION = (
    "Can you tell me about a time you needed support with your mental health, "
    "and what happened next?"
)

PROJECT: dict[str, Any] = {
    "name": "Getting support after a mental health crisis",
    "purpose": (
        "People who have been through a mental health crisis in Riverside, and the people "
        "who care for them, tell us what helped, what did not, and what happened afterwards. "
        "Together with the crisis team, the council and the university we turn those stories "
        "into changes to how crisis support is run."
    ),
    "opening_question": OPENING_QUESTION,
    "offer_and_control": (
        "Storytellers are paid for their time (£25 voucher) and can bring someone with them. "
        "They decide what is recorded, whether they are quoted, and whether their name is "
        "used, and they can change their mind or withdraw at any time. Co-producers with lived "
        "experience sit on the group that decides what the findings say."
    ),
    "sectors": ["services", "policy", "research"],
    "topics": ["mental health", "crisis care", "carers", "peer support"],
}


def _in_three_years() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=3 * 365)


# Storytellers, in the words they chose. "consent" is what they agreed to.
STORYTELLERS: tuple[dict[str, Any], ...] = (
    {
        "pseudonym": "Jordan",
        "real_name": "Jordan Hale",
        "self_description": (
            "Dad of two, bus driver for eighteen years, still learning to say when I'm not OK."
        ),
        "age_range": "45-54",
        "location": "Riverside North",
        "roles": ["lived_experience"],
        "topics": ["crisis line", "work"],
        "consent": {
            "record": True,
            "transcribe": True,
            "quote_anonymously": True,
            "quote_by_name": True,
            "publish_in_library": True,
        },
    },
    {
        "pseudonym": "Priya",
        "real_name": "Priya Nair",
        "self_description": (
            "Student nurse. I've lived with bipolar since I was nineteen and I'm good at "
            "explaining it, on a good day."
        ),
        "age_range": "25-34",
        "location": "Riverside city centre",
        "roles": ["lived_experience", "professional"],
        "topics": ["A&E", "peer support"],
        "consent": {
            "record": True,
            "transcribe": True,
            "quote_anonymously": True,
            "quote_by_name": True,
        },
    },
    {
        "pseudonym": "Mags",
        "self_description": "Retired. I live on my own with my cat and I don't like a fuss.",
        "age_range": "65-74",
        "location": "Eastfield",
        "roles": ["lived_experience"],
        "topics": ["bereavement", "talking therapy"],
        # Only recording and transcribing: her quotes count, but their words are withheld.
        "consent": {"record": True, "transcribe": True},
        "consent_note": "Agreed on the phone; does not want to be quoted, even without her name.",
    },
    {
        "pseudonym": "Tomasz",
        "self_description": (
            "Polish, came here for work in 2009. Warehouse nights for years, now a volunteer "
            "at a Saturday peer group."
        ),
        "age_range": "35-44",
        "location": "Riverside South",
        "roles": ["lived_experience"],
        "topics": ["language", "peer support", "work"],
        "consent": {
            "record": True,
            "transcribe": True,
            "quote_anonymously": True,
            "keep_until": _in_three_years,
        },
        "consent_note": "Wants the recording kept for three years only.",
    },
    {
        "pseudonym": "Ash",
        "self_description": (
            "Non-binary, 23, autistic. I say what I think, which services don't always like."
        ),
        "age_range": "18-24",
        "location": "Riverside North",
        "roles": ["lived_experience"],
        "topics": ["autism", "A&E"],
        "consent": {"record": True, "transcribe": True, "quote_anonymously": True},
    },
    {
        "pseudonym": "Bernadette",
        "real_name": "Bernadette Quinn",
        "self_description": (
            "Mum of three. My son had a crisis at seventeen; I'm telling this as his mum, "
            "with his blessing."
        ),
        "age_range": "45-54",
        "location": "Eastfield",
        "roles": ["lived_experience"],
        "topics": ["carers", "young people"],
        "consent": {
            "record": True,
            "transcribe": True,
            "quote_anonymously": True,
            "quote_by_name": True,
            "publish_in_library": True,
        },
    },
)


def _vtt(cues: list[tuple[str, str, str, str]]) -> bytes:
    """A small WebVTT file from (start, end, speaker, words) cues."""
    blocks = ["WEBVTT", ""]
    for number, (start, end, speaker, words) in enumerate(cues, start=1):
        blocks += [str(number), f"{start} --> {end}", f"<v {speaker}>{words}", ""]
    return "\n".join(blocks).encode("utf-8")


JORDAN_VTT = _vtt(
    [
        (
            "00:00:00.000",
            "00:00:09.000",
            "Rae",
            "Thanks for sitting down with me, Jordan. " + OPENING_QUESTION,
        ),
        (
            "00:00:09.000",
            "00:00:31.000",
            "Jordan",
            "It was a Tuesday in February. I'd finished a late shift and I sat in the cab at the "
            "depot and I just couldn't make myself get out. I hadn't slept properly for weeks. That "
            "night I thought, if I go home I'm not going to be safe.",
        ),
        ("00:00:31.000", "00:00:36.000", "Rae", "That sounds frightening. What did you do?"),
        (
            "00:00:36.000",
            "00:01:02.000",
            "Jordan",
            "I rang 111 because I didn't know who else you ring. The woman on the phone was kind, "
            "honestly she was. But she kept reading questions off a screen, and some of them didn't "
            "fit, and I felt like I was failing a test.",
        ),
        ("00:01:02.000", "00:01:06.000", "Rae", "What happened after the call?"),
        (
            "00:01:06.000",
            "00:01:34.000",
            "Jordan",
            "They said the crisis team would ring me back within four hours. It was nearly six. I "
            "sat in my car outside my own house the whole time because I didn't want my kids to see "
            "me like that.",
        ),
        (
            "00:01:34.000",
            "00:01:39.000",
            "Rae",
            "Did anyone let you know what was going on while you waited?",
        ),
        (
            "00:01:39.000",
            "00:01:58.000",
            "Jordan",
            "Nobody. If someone had texted me to say you're on the list, we haven't forgotten you, "
            "I think that would have changed the whole night.",
        ),
        ("00:01:58.000", "00:02:03.000", "Rae", "When the call came, how was it?"),
        (
            "00:02:03.000",
            "00:02:30.000",
            "Jordan",
            "The nurse who rang was brilliant. She didn't rush me. She asked what usually helps, "
            "and nobody had asked me that before. We made a plan for the next day and she rang me "
            "in the morning like she said she would.",
        ),
        ("00:02:30.000", "00:02:35.000", "Rae", "And in the weeks after that?"),
        (
            "00:02:35.000",
            "00:03:02.000",
            "Jordan",
            "That's where it fell apart. I was discharged to my GP after ten days with a leaflet. "
            "The GP had a letter but she didn't know the plan. I had to tell the whole story again "
            "from the beginning.",
        ),
        ("00:03:02.000", "00:03:07.000", "Rae", "If you could change one thing, what would it be?"),
        (
            "00:03:07.000",
            "00:03:30.000",
            "Jordan",
            "One person who stays with you for the first month. Not forever. Just long enough that "
            "you're not starting from zero every time you open your mouth.",
        ),
        ("00:03:30.000", "00:03:36.000", "Rae", "And at work, at the depot?"),
        (
            "00:03:36.000",
            "00:03:58.000",
            "Jordan",
            "My manager found out later and said, why didn't you tell me. But there was nothing to "
            "tell him. There's no policy, nothing on the noticeboard. Men my age just carry on till "
            "we can't.",
        ),
        (
            "00:03:58.000",
            "00:04:03.000",
            "Rae",
            "Thank you, Jordan. Is there anything you'd like to add?",
        ),
        (
            "00:04:03.000",
            "00:04:15.000",
            "Jordan",
            "Just that I'm still here. It does get better, but it shouldn't take this much work.",
        ),
    ]
)

TOMASZ_VTT = _vtt(
    [
        (
            "00:00:00.000",
            "00:00:08.000",
            "Rae",
            "Thank you for doing this, Tomasz. " + OPENING_QUESTION,
        ),
        (
            "00:00:08.000",
            "00:00:29.000",
            "Tomasz",
            "Five years ago I was working nights in the warehouse, twelve hours, and I started "
            "having panic attacks on the shift. I thought it was my heart. I went to A&E twice for "
            "my heart.",
        ),
        ("00:00:29.000", "00:00:32.000", "Rae", "What did they tell you?"),
        (
            "00:00:32.000",
            "00:00:55.000",
            "Tomasz",
            "The heart was fine. The second time a doctor said maybe it is anxiety, and gave me a "
            "paper with a website. The website was in English, fast English, and I was too tired to "
            "read it.",
        ),
        ("00:00:55.000", "00:00:59.000", "Rae", "Was an interpreter ever offered?"),
        (
            "00:00:59.000",
            "00:01:18.000",
            "Tomasz",
            "Never. I didn't know I could ask. My English for work is good, but to explain what is "
            "happening in your head, you need your first language.",
        ),
        ("00:01:18.000", "00:01:22.000", "Rae", "How did you find help in the end?"),
        (
            "00:01:22.000",
            "00:01:44.000",
            "Tomasz",
            "A poster in the Polish shop. A group that meets on Saturday mornings, people from "
            "Poland, Lithuania, Romania. All of us far from family, all of us working too much.",
        ),
        ("00:01:44.000", "00:01:47.000", "Rae", "What was the group like?"),
        (
            "00:01:47.000",
            "00:02:12.000",
            "Tomasz",
            "The first time I said nothing. I just drank the coffee. But a man told his story and "
            "it was my story, the same. I went home and I slept properly for the first time in "
            "months.",
        ),
        ("00:02:12.000", "00:02:17.000", "Rae", "Did the group connect you to other services?"),
        (
            "00:02:17.000",
            "00:02:40.000",
            "Tomasz",
            "Yes, the organiser knew which GP had a Polish-speaking nurse, and how to ask for a "
            "longer appointment. This knowledge is not written anywhere. It goes from person to "
            "person.",
        ),
        ("00:02:40.000", "00:02:43.000", "Rae", "You volunteer with them now?"),
        (
            "00:02:43.000",
            "00:02:55.000",
            "Tomasz",
            "I do. I make the coffee now. And I tell the new ones, your heart is fine, come on "
            "Saturday.",
        ),
        (
            "00:02:55.000",
            "00:03:00.000",
            "Rae",
            "What should the council and the NHS learn from this?",
        ),
        (
            "00:03:00.000",
            "00:03:24.000",
            "Tomasz",
            "Fund the small groups. They are cheap and they reach people you don't reach. And ask "
            "employers with night shifts to put the information in the break room, in our "
            "languages.",
        ),
    ]
)

ASH_VTT = _vtt(
    [
        ("00:00:00.000", "00:00:07.000", "Rae", "Hi Ash. " + OPENING_QUESTION),
        (
            "00:00:07.000",
            "00:00:26.000",
            "Ash",
            "Last autumn I had a meltdown that turned into a crisis. I'd been holding it together "
            "at college and then I just couldn't any more. My flatmate called an ambulance.",
        ),
        ("00:00:26.000", "00:00:30.000", "Rae", "What was it like when you got to the hospital?"),
        (
            "00:00:30.000",
            "00:00:54.000",
            "Ash",
            "A&E is the worst place in the world for an autistic person in crisis. The lights buzz, "
            "people are shouting, there's an alarm going off every few minutes. I ended up under a "
            "blanket on the floor of the cubicle.",
        ),
        ("00:00:54.000", "00:00:57.000", "Rae", "Did anyone help with that?"),
        (
            "00:00:57.000",
            "00:01:15.000",
            "Ash",
            "One healthcare assistant turned the big light off and found me a side room. She didn't "
            "make a thing of it. That one decision probably stopped me running out.",
        ),
        ("00:01:15.000", "00:01:19.000", "Rae", "How did the assessment go?"),
        (
            "00:01:19.000",
            "00:01:44.000",
            "Ash",
            "The psychiatrist kept asking me to look at him. I told him I can't do eye contact and "
            "think at the same time. He wrote that I was guarded and uncooperative. I read my notes "
            "later. It's still there.",
        ),
        ("00:01:44.000", "00:01:47.000", "Rae", "How did that leave you feeling?"),
        (
            "00:01:47.000",
            "00:02:08.000",
            "Ash",
            "Like the real problem was that I was autistic in the wrong way. I was there because I "
            "wanted to die, and we spent the time on whether I was being polite.",
        ),
        ("00:02:08.000", "00:02:11.000", "Rae", "What helped you after?"),
        (
            "00:02:11.000",
            "00:02:30.000",
            "Ash",
            "An autistic-led group online. They helped me make a crisis card to carry, which says "
            "what I need in words I don't have to find when I'm overwhelmed.",
        ),
        ("00:02:30.000", "00:02:33.000", "Rae", "Have you used the card since?"),
        (
            "00:02:33.000",
            "00:02:50.000",
            "Ash",
            "Once. The paramedic read it, dimmed the lights in the ambulance and spoke to me in "
            "short sentences. It worked. It's not complicated.",
        ),
        ("00:02:50.000", "00:02:53.000", "Rae", "What would you change?"),
        (
            "00:02:53.000",
            "00:03:15.000",
            "Ash",
            "Every A&E should have one quiet room, and staff should be trained by autistic people, "
            "not just about us. And let me correct my notes.",
        ),
    ]
)

PRIYA_TEXT = f"""\
[00:00:00] Rae: Thanks for coming, Priya. {OPENING_QUESTION}

[00:00:08] Priya: The one I keep coming back to is last spring, in the middle of my second \
placement. I'd stopped sleeping and my thoughts were going too fast to catch.

[00:00:24] Rae: Where did you go for help?

[00:00:27] Priya: My mum drove me to A&E. The strange thing was I knew exactly what would \
happen next, because I'd been on the other side of that desk as a student.

[00:00:41] Rae: Did that make it easier?

[00:00:44] Priya: Harder, honestly. When I said I was a student nurse, the doctor's whole \
manner changed. He talked to me like a colleague who was being dramatic, not like someone \
who was unwell.

[00:01:02] Rae: How did that feel?

[00:01:04] Priya: Like I had to prove I was ill enough. I ended up exaggerating, which I'm \
not proud of, just so someone would write it down properly.

[00:01:19] Rae: Was there anyone who helped?

[00:01:21] Priya: There was a peer support worker on the ward the next day, Lou. She told me \
she'd been sectioned twice and she was now training staff. I cried, because it meant there \
was a future.

[00:01:42] Rae: What did Lou do that was different?

[00:01:45] Priya: She didn't try to fix anything. She sat with me, she explained what each \
person's job was, and she wrote the ward phone number on my hand so I wouldn't lose it.

[00:02:03] Rae: And your course? Did the university know?

[00:02:06] Priya: I had to tell them, and I was terrified they'd say I wasn't fit to \
practise. In the end occupational health were fair, but nobody told me that at the start, \
so I spent a month convinced my career was over.

[00:02:28] Rae: What would you want decision-makers to hear?

[00:02:31] Priya: Hire more people like Lou, and pay them properly. And write down for \
students what happens if you get ill, in plain words, before it happens.

[00:02:45] Rae: Thank you, Priya.

[00:02:47] Priya: Thank you for asking. It helps to say it out loud.
"""

MAGS_TEXT = f"""\
Rae: Hello Mags. {OPENING_QUESTION}

Mags: After my husband died I stopped going out. Not all at once. First the shops, then \
church, then the garden.

Rae: How long did that go on?

Mags: The best part of a year. My daughter lives in Leeds and she rang every Sunday, and I \
told her I was fine every Sunday.

Rae: What changed?

Mags: The surgery sent a text about my flu jab and I didn't go, so a receptionist rang me. \
She said, you don't sound yourself. That was all. Nobody had said that to me in months.

Rae: What happened then?

Mags: They put me on a list for talking therapy. Fourteen weeks. They sent me a booklet \
about sleep in the meantime, which I didn't need. I sleep fine. I just didn't want to wake up.

Rae: That must have been a very hard time.

Mags: It was. When the therapy came it was on a video call, and I don't get on with the \
computer. I sat there with the screen frozen on her face and I thought, well, that's that.

Rae: Did anyone offer another way?

Mags: Not until I complained, and I'm not someone who complains. Then they found me a room \
at the library on a Thursday. Face to face. It made all the difference.

Rae: What would you say to the people who plan services?

Mags: Ask people how they want to be seen. Don't assume everyone has the internet, or wants \
it. And don't forget the ones who go quiet, because we're not the ones ringing you.
"""

BERNADETTE_TEXT = """\
Rae: Thanks for talking with me, Bernadette. Can you tell me about a time you, or someone \
close to you, needed support with their mental health, and what happened next?

Bernadette: It's my son's story really, but it's mine too. He was seventeen when he took an \
overdose. He's twenty now and doing well, and he said I could tell this.

Rae: Where does it start for you?

Bernadette: In the corridor outside the children's ward. He was seventeen, so nearly an \
adult, and nobody could decide whether to talk to me or not.

Rae: What did that mean in practice?

Bernadette: It meant I was in the room when it didn't matter and out of it when it did. I \
found out he'd been discharged because he texted me from the bus stop.

Rae: That's really hard to hear.

Bernadette: I know they have to respect his privacy. I'd never argue with that. But there's \
a difference between telling me his secrets and telling me what to do if it happens again \
tonight.

Rae: Did anyone give you that kind of information?

Bernadette: A carers' support worker at the council, three months later. She gave me a \
safety plan template and the number of a carers' group. By then I'd worked most of it out \
the hard way.

Rae: What was the carers' group like?

Bernadette: Mums, mostly. Some dads. We'd all been through the corridor. One woman said, \
you're not a visitor, you're part of his care. I've kept that.

Rae: What would you want the services to do differently?

Bernadette: Give the family something in writing on the day. Who to ring, what the plan is, \
what we're allowed to know. Ask the young person what they want shared, and ask again when \
they're calmer.

Rae: And your son, what does he think?

Bernadette: He says they should ask him who his safe people are. He'd have said me. Nobody \
asked him.
"""

# pseudonym -> how the story arrives. "file" stories go through the transcript import.
STORIES: tuple[dict[str, Any], ...] = (
    {
        "storyteller": "Jordan",
        "title": "The night I rang 111",
        "file": ("jordan-interview.vtt", JORDAN_VTT),
        "recorded_on": dt.date(2026, 9, 8),
        "reporter": REPORTER,
        "ideas": "Waiting with no news came up straight away. The nurse's question "
        "'what usually helps' is worth sharing with the crisis team.",
        "summary": "A bus driver rings 111 in crisis, waits six hours with no word, is helped "
        "by a kind nurse, then loses the thread after discharge.",
    },
    {
        "storyteller": "Priya",
        "title": "On both sides of the desk",
        "text": PRIYA_TEXT,
        "recorded_on": dt.date(2026, 9, 15),
        "reporter": REPORTER,
        "ideas": "Being disbelieved because she works in health. Peer worker Lou made the "
        "difference.",
    },
    {
        "storyteller": "Mags",
        "title": "Nobody asked how I wanted to be seen",
        "text": MAGS_TEXT,
        "recorded_on": dt.date(2026, 9, 22),
        "reporter": REPORTER,
    },
    {
        "storyteller": "Tomasz",
        "title": "Your heart is fine, come on Saturday",
        "file": ("tomasz-saturday-group.vtt", TOMASZ_VTT),
        "recorded_on": dt.date(2026, 10, 3),
        "reporter": REPORTER,
        "ideas": "Language and night shifts. The Saturday group knows things services don't.",
    },
    {
        "storyteller": "Ash",
        "title": "Too loud, too bright",
        "file": ("ash-a-and-e.vtt", ASH_VTT),
        "recorded_on": dt.date(2026, 10, 10),
        "reporter": REPORTER,
    },
    {
        "storyteller": "Bernadette",
        "title": "Not a visitor",
        "text": BERNADETTE_TEXT,
        "recorded_on": dt.date(2026, 10, 17),
        "reporter": REPORTER,
        "ideas": "Families need something in writing on the day.",
    },
)

THEMES: tuple[tuple[str, str], ...] = (
    ("Waiting without word", "Long waits with no news of what happens next."),
    ("Being taken seriously", "Whether people felt listened to, noticed and believed."),
    ("Someone who has been there", "Peer support, and people with lived experience on the team."),
    ("Help that fits the person", "How help is offered: language, format, place, light and noise."),
    ("Families and carers", "How families and carers were included, or shut out."),
    ("After the crisis", "Follow-up, discharge and keeping one plan joined up."),
)

# storyteller, exact words, themes, change level, sectors, note, named, coder
HIGHLIGHTS: tuple[dict[str, Any], ...] = (
    {
        "story": "Jordan",
        "coder": REPORTER,
        "named": True,
        "quote": "If someone had texted me to say you're on the list, we haven't forgotten you, "
        "I think that would have changed the whole night.",
        "themes": ["Waiting without word"],
        "change_level": "organisation",
        "sectors": ["services"],
        "note": "A simple text update while people wait.",
    },
    {
        "story": "Jordan",
        "coder": REPORTER,
        "named": True,
        "quote": "She asked what usually helps, and nobody had asked me that before.",
        "themes": ["Being taken seriously"],
        "change_level": "individual",
        "sectors": ["services", "research"],
        "note": "Could 'what usually helps?' be a standard first question?",
    },
    {
        "story": "Jordan",
        "coder": REPORTER,
        "named": True,
        "quote": "The GP had a letter but she didn't know the plan. I had to tell the whole story "
        "again from the beginning.",
        "themes": ["After the crisis"],
        "change_level": "organisation",
        "sectors": ["services", "policy"],
        "note": "",
    },
    {
        "story": "Jordan",
        "coder": MEMBER,
        "named": True,
        "quote": "There's no policy, nothing on the noticeboard. Men my age just carry on till "
        "we can't.",
        "themes": [],
        "change_level": "society",
        "sectors": ["policy"],
        "note": "Workplaces: not yet a theme of its own.",
    },
    {
        "story": "Priya",
        "coder": REPORTER,
        "named": True,
        "quote": "Like I had to prove I was ill enough.",
        "themes": ["Being taken seriously"],
        "change_level": "organisation",
        "sectors": ["services"],
        "note": "",
    },
    {
        "story": "Priya",
        "coder": REPORTER,
        "named": False,
        "quote": "She told me she'd been sectioned twice and she was now training staff. I cried, "
        "because it meant there was a future.",
        "themes": ["Someone who has been there"],
        "change_level": "individual",
        "sectors": ["services"],
        "note": "Hope from seeing someone further along.",
    },
    {
        "story": "Priya",
        "coder": MEMBER,
        "named": True,
        "quote": "Hire more people like Lou, and pay them properly.",
        "themes": ["Someone who has been there"],
        "change_level": "organisation",
        "sectors": ["policy", "services"],
        "note": "Peer roles need proper pay.",
    },
    {
        "story": "Mags",
        "coder": REPORTER,
        "named": False,
        "quote": "She said, you don't sound yourself. That was all. Nobody had said that to me in "
        "months.",
        "themes": ["Being taken seriously"],
        "change_level": "individual",
        "sectors": ["services"],
        "note": "A receptionist's phone call was the turning point.",
    },
    {
        "story": "Mags",
        "coder": REPORTER,
        "named": False,
        "quote": "They put me on a list for talking therapy. Fourteen weeks.",
        "themes": ["Waiting without word"],
        "change_level": "organisation",
        "sectors": ["services", "policy"],
        "note": "A booklet while waiting was not what she needed.",
    },
    {
        "story": "Mags",
        "coder": MEMBER,
        "named": False,
        "quote": "When the therapy came it was on a video call, and I don't get on with the "
        "computer.",
        "themes": ["Help that fits the person"],
        "change_level": "organisation",
        "sectors": ["services"],
        "note": "Offer face-to-face without having to complain.",
    },
    {
        "story": "Tomasz",
        "coder": MEMBER,
        "named": False,
        "quote": "to explain what is happening in your head, you need your first language.",
        "themes": ["Help that fits the person"],
        "change_level": "organisation",
        "sectors": ["services", "policy"],
        "note": "Interpreters were never offered.",
    },
    {
        "story": "Tomasz",
        "coder": MEMBER,
        "named": False,
        "quote": "a man told his story and it was my story, the same. I went home and I slept "
        "properly for the first time in months.",
        "themes": ["Someone who has been there"],
        "change_level": "individual",
        "sectors": ["services"],
        "note": "",
    },
    {
        "story": "Tomasz",
        "coder": REPORTER,
        "named": False,
        "quote": "Fund the small groups. They are cheap and they reach people you don't reach.",
        "themes": ["Someone who has been there"],
        "change_level": "society",
        "sectors": ["policy", "research"],
        "note": "Which small groups exist? Worth mapping.",
    },
    {
        "story": "Ash",
        "coder": MEMBER,
        "named": False,
        "quote": "He wrote that I was guarded and uncooperative. I read my notes later. It's "
        "still there.",
        "themes": ["Being taken seriously"],
        "change_level": "organisation",
        "sectors": ["services", "research"],
        "note": "Ask about the right to correct records.",
    },
    {
        "story": "Ash",
        "coder": MEMBER,
        "named": False,
        "quote": "Every A&E should have one quiet room, and staff should be trained by autistic "
        "people, not just about us.",
        "themes": ["Help that fits the person", "Someone who has been there"],
        "change_level": "society",
        "sectors": ["policy", "services"],
        "note": "",
    },
    {
        "story": "Ash",
        "coder": REPORTER,
        "named": False,
        "quote": "a crisis card to carry, which says what I need in words I don't have to find "
        "when I'm overwhelmed.",
        "themes": [],
        "change_level": "individual",
        "sectors": ["services"],
        "note": "",
    },
    {
        "story": "Bernadette",
        "coder": REPORTER,
        "named": True,
        "quote": "It meant I was in the room when it didn't matter and out of it when it did.",
        "themes": ["Families and carers"],
        "change_level": "organisation",
        "sectors": ["services"],
        "note": "",
    },
    {
        "story": "Bernadette",
        "coder": MEMBER,
        "named": False,
        "quote": "I found out he'd been discharged because he texted me from the bus stop.",
        "themes": ["Families and carers", "After the crisis"],
        "change_level": "organisation",
        "sectors": ["services"],
        "note": "",
    },
    {
        "story": "Bernadette",
        "coder": MEMBER,
        "named": True,
        "quote": "Give the family something in writing on the day. Who to ring, what the plan "
        "is, what we're allowed to know.",
        "themes": ["After the crisis", "Families and carers"],
        "change_level": "",
        "sectors": ["services", "policy"],
        "note": "Links to Jordan's 'one person for a month'.",
    },
)


def _ensure_user(email: str, display_name: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, display_name=display_name)
    return user


def _ensure_organisation(admin: User) -> Organisation:
    organisation = Organisation.objects.filter(slug=DEMO_ORGANISATION_SLUG).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            slug=DEMO_ORGANISATION_SLUG, name="Riverside Council & Partners"
        )
        OrganisationMembership.objects.create(
            organisation=organisation, user=admin, role=OrganisationRole.ADMIN
        )
    return organisation


def _fill_project(project: Project, users: dict[str, User]) -> None:
    """Storytellers, stories, themes and quotes for a freshly made demo project."""
    from cohub.apps.analysis.services import highlight_create, theme_create
    from cohub.apps.projects.services import membership_add
    from cohub.apps.stories.selectors import latest_transcript
    from cohub.apps.stories.services import (
        review_sheet_update,
        story_create_from_text,
        story_import_transcript,
        storyteller_create,
    )

    facilitator = users[FACILITATOR]
    for email, role in PROJECT_ROLES.items():
        membership_add(project=project, user=users[email], roles=[role], actor=facilitator)

    storytellers = {}
    for spec in STORYTELLERS:
        profile = {k: v for k, v in spec.items() if k not in {"consent", "consent_note"}}
        consent = {k: (v() if callable(v) else v) for k, v in spec["consent"].items()}
        storytellers[spec["pseudonym"]] = storyteller_create(
            project=project,
            actor=facilitator,
            consent=consent,
            consent_note=spec.get("consent_note", "Agreed in person at the story session."),
            **profile,
        )

    stories = {}
    for spec in STORIES:
        reporter = users[spec["reporter"]]
        common = {
            "project": project,
            "storyteller": storytellers[spec["storyteller"]],
            "actor": reporter,
            "title": spec["title"],
            "recorded_on": spec["recorded_on"],
        }
        if "file" in spec:
            filename, data = spec["file"]
            story = story_import_transcript(data=data, filename=filename, **common)
        else:
            story = story_create_from_text(text=spec["text"], **common)
        if spec.get("ideas") or spec.get("summary"):
            review_sheet_update(
                review_sheet=story.review_sheet,
                actor=reporter,
                ideas=spec.get("ideas", ""),
                summary=spec.get("summary", ""),
            )
        stories[spec["storyteller"]] = story

    themes = {
        name: theme_create(project=project, name=name, description=description, actor=facilitator)
        for name, description in THEMES
    }

    for spec in HIGHLIGHTS:
        story = stories[spec["story"]]
        transcript = latest_transcript(story)
        if transcript is None:
            raise ValueError(f"Demo story {story.title!r} has no transcript")
        start = transcript.text.find(spec["quote"])
        if start < 0:
            raise ValueError(f"Demo quote not found in {story.title!r}: {spec['quote'][:40]}")
        highlight_create(
            review_sheet=story.review_sheet,
            transcript=transcript,
            char_start=start,
            char_end=start + len(spec["quote"]),
            actor=users[spec["coder"]],
            themes=[themes[name] for name in spec["themes"]],
            change_level=spec["change_level"],
            sectors=spec["sectors"],
            note=spec["note"],
            attribution="named" if spec["named"] else "anonymous",
        )


@transaction.atomic
def demo_load() -> DemoInfo:
    """Make the demo organisation, people and project where they are missing."""
    from cohub.apps.projects.services import project_create

    users = {email: _ensure_user(email, name) for email, name, _ in DEMO_USERS}
    organisation = _ensure_organisation(users[ORG_ADMIN])
    created = False
    if not Project.objects.filter(slug=DEMO_PROJECT_SLUG).exists():
        project = project_create(
            organisation=organisation,
            actor=users[FACILITATOR],
            slug=DEMO_PROJECT_SLUG,
            **PROJECT,
        )
        _fill_project(project, users)
        created = True
    return DemoInfo(
        email=FACILITATOR,
        password=DEMO_PASSWORD,
        project_slug=DEMO_PROJECT_SLUG,
        created=created,
        accounts=tuple((email, what) for email, _, what in DEMO_USERS),
    )
