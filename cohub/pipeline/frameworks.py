"""Frameworks a group can start its themes from, as data (see /shared/DOMAIN.md).

Each entry is a short name (what the theme is called) and a sentence in our own
plain words that says what quotes under it talk about; the sentence is what
gets embedded, so it is written the way people speak about their experience.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FrameworkTheme:
    key: str
    name: str
    description: str

    @property
    def text(self) -> str:
        """What is embedded to stand for this theme."""
        return f"{self.name}. {self.description}"


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    themes: tuple[FrameworkTheme, ...]


CONDITIONS = Framework(
    key="conditions",
    name="Conditions of co-production",
    themes=(
        FrameworkTheme(
            "intent",
            "Intent",
            "Really meaning to share the work, wanting to do it together for the right reasons.",
        ),
        FrameworkTheme(
            "from_the_beginning",
            "Involved from the beginning",
            "We were asked at the very start, before anything was decided, not brought in at "
            "the end.",
        ),
        FrameworkTheme(
            "flexibility",
            "Flexibility and openness to change",
            "Plans changed when we said they should; the project bent to fit people's lives.",
        ),
        FrameworkTheme(
            "open_culture",
            "No answers set in advance",
            "Nothing was already decided; our ideas could change what happened.",
        ),
        FrameworkTheme(
            "honesty",
            "Honesty",
            "People told us the truth, about what could and could not change and why.",
        ),
        FrameworkTheme(
            "share_power",
            "Sharing power",
            "Nobody pulled rank; we decided together as equals, titles left at the door.",
        ),
        FrameworkTheme(
            "discomfort",
            "Living with discomfort",
            "It was hard and uncomfortable at times, and we stayed with it instead of giving up.",
        ),
        FrameworkTheme(
            "facilitation",
            "Skilled facilitation",
            "Someone ran the sessions well, so every voice was heard and it stayed on track.",
        ),
        FrameworkTheme(
            "being_human",
            "Being human",
            "Treated as a person, with warmth and kindness, not as a case or a number.",
        ),
        FrameworkTheme(
            "learning",
            "Learning from mistakes",
            "We looked back at what went wrong, checked how it was going, and did better.",
        ),
        FrameworkTheme(
            "listening",
            "Listening to and valuing each other",
            "People listened to me, took what I said seriously and valued what I know.",
        ),
        FrameworkTheme(
            "support",
            "Support",
            "Help when I needed it: someone to talk to, support before and after sessions.",
        ),
        FrameworkTheme(
            "money",
            "Paying people",
            "Being paid for our time and expenses, fairly and on time, without hurting benefits.",
        ),
        FrameworkTheme(
            "time",
            "Time",
            "Enough time to do it properly, not rushed, and time to build trust.",
        ),
        FrameworkTheme(
            "spaces",
            "Right places and online spaces",
            "Rooms, buildings and online meetings that were easy to get to, accessible and "
            "welcoming.",
        ),
        FrameworkTheme(
            "creativity",
            "Creativity",
            "Trying new and creative ways of working: art, stories, games, not only meetings.",
        ),
        FrameworkTheme(
            "action",
            "Action",
            "Something actually changed because of what we said; it was not only talk.",
        ),
    ),
)

VALUES = Framework(
    key="values",
    name="Principles of co-production",
    themes=(
        FrameworkTheme(
            "assets",
            "People as assets",
            "What people bring is valued: their experience and skills, not only their needs.",
        ),
        FrameworkTheme(
            "capabilities",
            "Building on what people can do",
            "Starting from what people are already good at and helping them grow.",
        ),
        FrameworkTheme(
            "mutuality",
            "Give and take",
            "Both sides give something and get something back; it goes both ways.",
        ),
        FrameworkTheme(
            "peer_support",
            "Peer support",
            "People who have been through the same things supporting each other.",
        ),
        FrameworkTheme(
            "barriers",
            "Breaking down barriers",
            "No us and them between staff and the people they serve; working side by side.",
        ),
        FrameworkTheme(
            "facilitating",
            "Enabling, not doing to",
            "Staff help people make things happen themselves instead of doing things to them.",
        ),
    ),
)

FRAMEWORKS: dict[str, Framework] = {f.key: f for f in (CONDITIONS, VALUES)}
