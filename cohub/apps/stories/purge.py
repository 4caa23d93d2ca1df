"""Removing stories and everything derived from them, leaving no trace.

Withdrawal of consent must leave nothing behind (issue 7, ADR 0024): the rows
made from a story, its files, and copies of its words or names that other
rows picked up on the way (a job's parameters and result, a coding-log entry,
a message waiting in someone's session). It happens in three steps:

1. Inside one transaction, apps further down the chain remove what they
   derived from the stories: each registers ``purger(story_ids)`` through
   ``register_purger``, so this module never imports them. Then the stories
   go, with what cascades from them.
2. Still inside it, every registered ``scrubber(traces)`` removes copies of the
   stories' words and names from rows that outlive them (``Traces``: titles,
   file names, quote snippets, and on withdrawal the storyteller's names). Jobs
   and session messages are scrubbed here.
3. After the commit, files go (``files_delete_on_commit``: a ``FileDeletion``
   row per file, written in the transaction, so a killed process still finishes
   later through the periodic ``stories.delete_files`` job), and on SQLite the
   write-ahead log is emptied back into the overwritten database file
   (``database_compact``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.stories.models import FileDeletion, Speaker, Story

logger = logging.getLogger(__name__)

STORAGE = "storage"
PATH = "path"

# Shorter than this, a word is too common to tell a copy from chance (a quote
# "yes" is in many other rows); names are kept whatever their length.
MIN_SNIPPET = 12
MIN_TITLE = 4
# "Speaker 1", "Interviewer": labels any story has, naming nobody.
_GENERIC_SPEAKER = re.compile(r"^(speaker|interviewer|participant|person)\s*\d*$", re.IGNORECASE)


@dataclass(frozen=True)
class Traces:
    """What stories being purged are recognised by, in rows that are not theirs.

    ``names`` name people (the storyteller on withdrawal, the speakers);
    ``titles`` are the stories' titles and file names; ``snippets`` are the
    words of their quotes. Scrubbers choose which they look for: a message that
    names a person goes, but a group's board note is removed only if it copies
    a quote, not because it shares a first name.
    """

    story_ids: tuple[int, ...]
    project_ids: frozenset[int]
    names: frozenset[str] = field(default_factory=frozenset)
    titles: frozenset[str] = field(default_factory=frozenset)
    snippets: frozenset[str] = field(default_factory=frozenset)
    # The withdrawing storyteller's own name and pseudonym (also among ``names``).
    personal: frozenset[str] = field(default_factory=frozenset)
    withdrawal: bool = False

    @property
    def everything(self) -> frozenset[str]:
        return self.names | self.titles | self.snippets

    @property
    def content(self) -> frozenset[str]:
        """Titles and quote words: copies of the story itself, never just a shared name."""
        return self.titles | self.snippets

    def found_in(self, text: str, among: Iterable[str] | None = None) -> bool:
        """Whether ``text`` holds any of ``among`` (all traces unless told)."""
        if not text:
            return False
        return any(trace in text for trace in (self.everything if among is None else among))


Purger = Callable[[list[int]], None]
Scrubber = Callable[[Traces], None]

_purgers: list[Purger] = []
_scrubbers: list[Scrubber] = []
SnippetSource = Callable[[list[int]], Iterable[str]]
_snippet_sources: list[SnippetSource] = []


def register_purger(func: Purger) -> Purger:
    """Register ``func(story_ids)`` to delete what an app derived from those stories."""
    if func not in _purgers:
        _purgers.append(func)
    return func


def register_snippet_source(func: SnippetSource) -> SnippetSource:
    """Register ``func(story_ids)`` giving words copied from those stories (quotes), as traces."""
    if func not in _snippet_sources:
        _snippet_sources.append(func)
    return func


def register_scrubber(func: Scrubber) -> Scrubber:
    """Register ``func(traces)`` to remove copies of purged stories' words from other rows."""
    if func not in _scrubbers:
        _scrubbers.append(func)
    return func


def json_strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value, keys too (a job's parameters, an event's payload)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from json_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from json_strings(item)


def json_holds(value: Any, traces: Traces, among: Iterable[str] | None = None) -> bool:
    chosen = list(traces.everything if among is None else among)
    return any(traces.found_in(text, chosen) for text in json_strings(value))


def _traces(
    story_ids: list[int], personal: Iterable[str], project_ids: Iterable[int], withdrawal: bool
) -> Traces:
    stories = list(Story.objects.filter(pk__in=story_ids).values_list("title", "source_filename"))
    titles = {title for title, _ in stories} | {name for _, name in stories}
    titles |= {Path(name).stem for _, name in stories if name}
    speakers = Speaker.objects.filter(story_id__in=story_ids).values_list("label", "display_name")
    names = {name for pair in speakers for name in pair if not _GENERIC_SPEAKER.match(name)}
    own = {value.strip() for value in personal if value and value.strip()}
    names |= own
    # Quotes belong to apps further down the chain; they say what their words are.
    snippets = {snippet for source in _snippet_sources for snippet in source(story_ids) if snippet}
    return Traces(
        story_ids=tuple(story_ids),
        project_ids=frozenset(
            Story.objects.filter(pk__in=story_ids).values_list("project_id", flat=True)
        )
        | frozenset(project_ids),
        names=frozenset(n.strip() for n in names if len(n.strip()) >= 2),
        titles=frozenset(t.strip() for t in titles if len(t.strip()) >= MIN_TITLE),
        snippets=frozenset(s.strip() for s in snippets if len(s.strip()) >= MIN_SNIPPET),
        personal=frozenset(own),
        withdrawal=withdrawal,
    )


@transaction.atomic
def purge_stories(
    stories: QuerySet[Story],
    *,
    personal: Iterable[str] = (),
    project_ids: Iterable[int] = (),
    withdrawal: bool = False,
) -> int:
    """Remove the stories, all made from them, and copies of their words elsewhere.

    On withdrawal, ``personal`` are the storyteller's own values (name,
    pseudonym) and ``project_ids`` their project, so messages and jobs that name
    them are scrubbed even when they had no story yet. Returns the number of
    stories removed.
    """
    story_ids = list(stories.values_list("pk", flat=True))
    if not story_ids and not withdrawal:
        return 0
    traces = _traces(story_ids, list(personal), list(project_ids), withdrawal)
    for purger in _purgers if story_ids else ():
        purger(story_ids)
    Story.objects.filter(pk__in=story_ids).delete()
    for scrubber in _scrubbers:
        scrubber(traces)
    transaction.on_commit(database_compact)
    return len(story_ids)


# --- Files ----------------------------------------------------------------------------


def files_delete_on_commit(*, names: Iterable[str] = (), paths: Iterable[Path] = ()) -> int:
    """Delete these files once the current transaction commits, and keep trying until done.

    ``names`` are in Django's default storage, ``paths`` on the hub's own disk.
    Returns how many were put down for deletion.
    """
    rows = [FileDeletion(where=STORAGE, name=name) for name in names if name] + [
        FileDeletion(where=PATH, name=str(path)) for path in paths
    ]
    if not rows:
        return 0
    made = FileDeletion.objects.bulk_create(rows)
    ids = [row.pk for row in made if row.pk is not None]
    if ids:
        transaction.on_commit(lambda: file_deletions_run(ids=ids))
    else:  # a database that does not return ids from bulk inserts: the job catches them
        transaction.on_commit(file_deletions_run)
    return len(rows)


def _delete_one(row: FileDeletion) -> None:
    if row.where == STORAGE:
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(row.name)
    else:
        Path(row.name).unlink(missing_ok=True)


def file_deletions_run(*, ids: Iterable[int] | None = None) -> int:
    """Delete the files waiting to go (these ``ids``, or all); returns how many are still left.

    Each success removes its row; a failure counts an attempt and names the
    kind of error, so the periodic job tries again and an administrator can see
    that something is stuck.
    """
    rows = FileDeletion.objects.all()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    left = 0
    for row in rows:
        try:
            _delete_one(row)
        except Exception as exc:  # noqa: BLE001 - any failure is retried later
            left += 1
            FileDeletion.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1,
                last_error=type(exc).__name__[:100],
                tried_at=timezone.now(),
            )
            logger.warning("A purged file could not be deleted yet (%s).", type(exc).__name__)
        else:
            FileDeletion.objects.filter(pk=row.pk).delete()
    return left


# --- The database files ---------------------------------------------------------------


def database_compact() -> None:
    """After a purge on SQLite, leave nothing of it in the database files.

    ``secure_delete`` (set on every connection, see ``core.apps``) overwrites
    deleted content in the pages; but the write-ahead log still holds the
    pages as they were before, until a checkpoint copies them back and
    truncates the log. A checkpoint needs no transaction open, so this runs
    after the commit. PostgreSQL is vacuumed by a periodic job instead (ADR 0024).
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- Scrubbers of rows this app knows ---------------------------------------------------


def _job_names_story(job: Job, traces: Traces) -> bool:
    params = job.params if isinstance(job.params, dict) else {}
    story_id = params.get("story_id")
    if isinstance(story_id, int) and story_id in traces.story_ids:
        return True
    return (
        json_holds(job.params, traces)
        or json_holds(job.result, traces)
        or traces.found_in(job.error)
        or traces.found_in(job.progress_message)
    )


@register_scrubber
def jobs_scrub(traces: Traces) -> None:
    """Jobs whose parameters or results name a purged story lose them.

    A job still waiting names work there is nothing left to do for, so it is
    removed; a finished one keeps its row (kind, status, when) for the jobs
    page, emptied of parameters, result, error and progress text, and its
    result versions go.
    """
    # Periodic runs (``scheduled_for`` set) take no parameters and return counts only.
    unscheduled = Q(project_id__isnull=True, scheduled_for__isnull=True)
    jobs = Job.objects.filter(Q(project_id__in=traces.project_ids) | unscheduled)
    named = [job for job in jobs.iterator() if _job_names_story(job, traces)]
    waiting = [j.pk for j in named if j.status in (JobStatus.QUEUED, JobStatus.RUNNING)]
    done = [j.pk for j in named if j.pk not in waiting]
    Job.objects.filter(pk__in=waiting).delete()
    JobResult.objects.filter(job_id__in=done).delete()
    Job.objects.filter(pk__in=done).update(
        params={}, result={}, error="", progress_message="Removed with a withdrawn story."
    )


# Traces purged while this request (or command) runs: the request's own session is
# saved after the view returns, from memory, so it is scrubbed again then
# (``stories.middleware.PurgedMessagesMiddleware``).
_purged_now: ContextVar[tuple[Traces, ...]] = ContextVar("cohub_purged_now", default=())


def purged_now() -> tuple[Traces, ...]:
    """What was purged in this request so far (see ``PurgedMessagesMiddleware``)."""
    return _purged_now.get()


def purged_now_reset() -> None:
    _purged_now.set(())


def messages_without(waiting: Any, traces: Iterable[Traces]) -> tuple[Any, bool]:
    """Session-stored messages (``_messages``) less those naming a purged story or person.

    Returns what to store (None for nothing left) and whether anything was dropped.
    """
    chosen = list(traces)
    try:
        decoded = json.loads(waiting) if isinstance(waiting, str) else waiting
    except ValueError:
        decoded = waiting
    if not isinstance(decoded, list):
        hit = any(json_holds(decoded, t) for t in chosen)
        return (None, True) if hit else (waiting, False)
    kept = [m for m in decoded if not any(json_holds(m, t) for t in chosen)]
    if len(kept) == len(decoded):
        return waiting, False
    return (json.dumps(kept, separators=(",", ":")) if kept else None), True


def session_messages_scrub(session: Any, traces: Iterable[Traces]) -> bool:
    """Drop such messages from one session (a mapping); True if any went."""
    waiting = session.get("_messages")
    if not waiting:
        return False
    kept, dropped = messages_without(waiting, traces)
    if not dropped:
        return False
    if kept is None:
        del session["_messages"]
    else:
        session["_messages"] = kept
    return True


@register_scrubber
def sessions_scrub(traces: Traces) -> None:
    """Messages waiting in anyone's session that name a purged story or person go.

    Messages are kept in the session (settings ``MESSAGE_STORAGE``) until the
    next page shows them, and some name a speaker or a storyteller ("Saved. Sam
    shows everywhere now."). Sessions are read one by one, since their data is
    encoded; the rest of each session, and other messages, are left as they were.
    """
    _purged_now.set((*_purged_now.get(), traces))
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    store = SessionStore()
    for session in Session.objects.all().iterator():
        data = store.decode(session.session_data)
        if session_messages_scrub(data, [traces]):
            Session.objects.filter(pk=session.pk).update(session_data=store.encode(data))


# --- Vacuuming (PostgreSQL) -------------------------------------------------------------

# The apps whose tables hold story content or copies of it, and so dead rows after a purge.
PURGED_APPS = ("stories", "analysis", "redaction", "reports", "jobs", "sessions", "core")
PURGE_VERBS = ("consent.withdraw", "consent.expired", "story.delete")


def purged_tables() -> list[str]:
    """The database tables a purge deletes from or scrubs (of the apps installed here)."""
    from django.apps import apps

    tables: list[str] = []
    for label in PURGED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        tables += [
            model._meta.db_table
            for model in config.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        ]
    return sorted(set(tables))


def database_vacuum() -> dict[str, Any]:
    """Rewrite the purged tables so deleted rows leave the database's files (ADR 0024).

    PostgreSQL keeps a deleted row's bytes in its table files until a vacuum;
    a plain VACUUM only marks the space free, so ``VACUUM FULL`` rewrites each
    table into a new file and drops the old one. It cannot run inside a
    transaction (and takes each table's lock for the moment it runs), so the
    periodic job calls this on its own connection state, outside any. On
    SQLite the checkpoint after each purge is tried again, in case another
    process was reading then. Returns what was done, for the job's result.
    """
    if connection.in_atomic_block:
        return {"vacuumed": 0, "note": "inside a transaction, so nothing could be done"}
    if connection.vendor == "sqlite":
        database_compact()
        return {"vacuumed": 0, "checkpoint": True}
    if connection.vendor != "postgresql":
        return {"vacuumed": 0}
    tables = purged_tables()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (FULL, ANALYZE) {connection.ops.quote_name(table)}")
    return {"vacuumed": len(tables)}
