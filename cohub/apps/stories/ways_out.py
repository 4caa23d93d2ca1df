"""Every way a story's content leaves the hub, and what consent each needs: one declared list.

Reading a story inside the hub needs consent to transcribe it (ADR 0013). A
way *out* (a quote with a name on it, the findings, an export, a clip or a
playlist of voices, publishing, and simply keeping the story) needs more, and
each service that sends content out asks this module, through
``require_way_out`` (a refusal: ``ConsentError``, a ``ServiceError``) or
``way_out_withheld`` (for a list that leaves some out and says why). The
refusal names the scope and the way out: "Kit has not agreed that we quote
them by name, so we cannot name them beside their words."

``tests/stories/test_ways_out.py`` drives every entry of ``WAYS_OUT`` through
the real service that uses it, with the consent it needs missing, and fails
if the refusal does not come from here; a new entry without such a probe
fails it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohub.apps.core.errors import ConsentError
from cohub.apps.stories.consent import QUOTING_SCOPES, ConsentNow, Withheld, consent_now
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.scopes import ConsentScope


@dataclass(frozen=True)
class WayOut:
    """One way out: the scopes it needs, and what it does, finishing "so we cannot ..."."""

    key: str
    scopes: tuple[ConsentScope, ...]
    doing: str

    def __str__(self) -> str:
        return self.key


QUOTE_BY_NAME = WayOut(
    "quote_by_name",
    (ConsentScope.QUOTE_BY_NAME, *QUOTING_SCOPES),
    "name them beside their words",
)
REPORT = WayOut("report", QUOTING_SCOPES, "show their words in the findings")
EXPORT = WayOut("export", QUOTING_SCOPES, "copy their words into an export")
CLIP = WayOut(
    "clip",
    (ConsentScope.RECORD, ConsentScope.QUOTE_ANONYMOUSLY),
    "play their voice in a clip or a playlist",
)
PUBLISH = WayOut(
    "publish",
    (ConsentScope.TRANSCRIBE, ConsentScope.PUBLISH_IN_LIBRARY),
    "publish their story",
)
# The public "You said, we did" page (ADR 0033): anyone may read it, so a quote there
# needs both being quoted (without a name: the page names nobody) and being published.
PUBLIC_PAGE = WayOut(
    "public_page",
    (*QUOTING_SCOPES, ConsentScope.PUBLISH_IN_LIBRARY),
    "show their words on the public “You said, we did” page",
)
# Keeping needs no scope of its own: only withdrawal or a passed keep-until date refuse it.
KEEP = WayOut("keep", (), "keep their story")

WAYS_OUT: tuple[WayOut, ...] = (QUOTE_BY_NAME, REPORT, EXPORT, CLIP, PUBLISH, PUBLIC_PAGE, KEEP)


def way_out_withheld(consent: ConsentNow, way: WayOut) -> Withheld | None:
    """Why ``way`` is not allowed by this consent now, or None when it is."""
    if way is KEEP:
        return consent.ended
    return consent.withheld(*way.scopes)


def way_out_refusal(withheld: Withheld, way: WayOut) -> str:
    """The refusal's words: "Kit has not agreed ..., so we cannot name them beside their words"."""
    return f"{withheld.refusal.removesuffix('.')}, so we cannot {way.doing}."


def require_way_out(who: Storyteller | ConsentNow, way: WayOut) -> ConsentNow:
    """Refuse (``ConsentError``) unless the storyteller's consent now allows ``way``.

    Returns the consent worked out, so a caller that goes on to use it
    (say, to choose the name to show) need not work it out again.
    """
    consent = who if isinstance(who, ConsentNow) else consent_now(who)
    withheld = way_out_withheld(consent, way)
    if withheld is not None:
        raise ConsentError(way_out_refusal(withheld, way))
    return consent
