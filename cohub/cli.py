"""The ``cohub`` command: run the hub on one machine, load the demo, import and export.

Each subcommand is a thin wrapper over a service, so the command line does
exactly what the web pages do, with the same checks and audit trail.

Who the command acts as: ``--as EMAIL`` (importing, exporting) acts as that
person, through the same rules as the web (``user.has_perm(perm, project)``),
and a refusal says who may do it instead. Without ``--as`` the command is
the operator of the server acting, as for ``migrate``, ``demo``,
``purge-expired``, ``withdraw`` and ``createuser``: whoever can run it can already read the
database, so it is not refused, and the audit trail records no person
(a system action, actor None).
Expected problems (a bad file, an unknown project) print one plain line to
stderr and set the exit code; they never show a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from cohub.apps.stories.scopes import GATHERING_SCOPES, ConsentScope

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

WORKER_GRACE_S = 2
WORKER_STOP_TIMEOUT_S = 15


class CliError(Exception):
    """A problem with what was asked for; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


# Lookups ---------------------------------------------------------------


def _project(slug: str) -> Any:
    from cohub.apps.projects.models import Project

    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise CliError(f"there is no project with the slug {slug!r}.")
    return project


def _actor(email: str | None) -> Any:
    if not email:
        return None
    from cohub.apps.accounts.models import User

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise CliError(f"there is no active user with the email {email!r}.")
    return user


def _require(actor: Any, project: Any, permission: str, *, action: str) -> None:
    """Refuse, as the web would, unless ``actor`` holds ``permission`` in ``project``.

    No actor is the server's operator (see the module docstring). The refusal
    names who may do it instead, worked out from the rules themselves.
    """
    if actor is None or actor.has_perm(permission, project):
        return
    from cohub.apps.projects.refusals import refusal_message

    raise CliError(
        f"{actor.email} may not {action} in {project.slug!r}. "
        + refusal_message(permission, project, action=action, name=project.slug),
        EXIT_FAILED,
    )


def _consent_scopes(value: str) -> tuple[ConsentScope, ...]:
    names = dict.fromkeys(s.strip() for s in value.split(",") if s.strip())
    unknown = [name for name in names if name not in ConsentScope.values]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown consent scope {unknown[0]!r}; choose from {', '.join(ConsentScope.values)}"
        )
    return tuple(ConsentScope(name) for name in names)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2027-06-30") from None


# Subcommands ------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from cohub.demo import demo_load

    call_command("migrate", interactive=False, verbosity=0)
    # The jobs the demo queues log each one at INFO, which a server's log wants and the
    # person reading these few lines to log in does not.
    jobs_log = logging.getLogger("cohub.apps.jobs")
    level = jobs_log.level
    jobs_log.setLevel(logging.WARNING)
    try:
        info = demo_load()
    finally:
        jobs_log.setLevel(level)
    if info.created:
        print(f"The demo project is ready: /p/{info.project_slug}/")
    else:
        print(f"The demo project was already there (nothing changed): /p/{info.project_slug}/")
    print(f"Log in as:  {info.email}")
    print(f"Password:   {info.password}")
    if info.backup_code(info.email):
        print(f"Then type:  {info.backup_code(info.email)}  (a backup code: each works once)")
    print(f"Project:    {info.project_slug}")
    if info.accounts:
        print("Other demo accounts (same password):")
        for email, what in info.accounts:
            if email != info.email:
                code = info.backup_code(email)
                then = f" (then the backup code {code})" if code else ""
                print(f"  {email:<24} {what}{then}")
    if info.backup_codes:
        print("Two-step sign-in: run `cohub demo` again for a backup code not yet used.")
    print("Start it with: cohub serve")
    return EXIT_OK


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def _start_worker() -> subprocess.Popen:
    """The job worker as a child process, with the same settings and import path."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    code = "import sys; from cohub.cli import main; sys.exit(main(['worker', '--only-worker']))"
    return subprocess.Popen([sys.executable, "-c", code], env=env)


def _stop_worker(worker: subprocess.Popen) -> None:
    """Stop the worker: after Ctrl+C it got the signal too and may already be finishing."""
    try:
        worker.wait(timeout=WORKER_GRACE_S)
        return
    except subprocess.TimeoutExpired:
        pass
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from waitress.server import create_server

    call_command("collectstatic", interactive=False, verbosity=0)
    # Loaded after collectstatic: WhiteNoise lists the static files when the app starts.
    from config.wsgi import application

    logging.basicConfig()
    try:
        server = create_server(
            application,
            host=args.host,
            port=args.port,
            threads=8,
            # Refuse absurd uploads before they fill the disk: a recording at its
            # size limit (COHUB_RECORDING_MAX_MB) and a little room for the form.
            max_request_body_size=settings.COHUB_REQUEST_MAX_BYTES,
        )
    except OSError as exc:
        raise CliError(
            f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}). "
            "Is cohub already running? Try another --port.",
            EXIT_FAILED,
        ) from None
    worker = None if args.no_worker else _start_worker()
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, _raise_keyboard_interrupt) for signum in stop_signals}
    print(f"cohub is running at http://{args.host}:{args.port}/  (press Ctrl+C to stop)")
    sys.stdout.flush()
    try:
        server.run()  # returns after Ctrl+C or SIGTERM, once waitress has shut down
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if worker is not None:
            _stop_worker(worker)
        print("cohub stopped.")
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from cohub.apps.jobs.services import job_requeue_abandoned

    requeued = job_requeue_abandoned(all_running=args.only_worker)
    if requeued:
        print(f"Queued {len(requeued)} job(s) again that a stopped worker left unfinished.")
    # The jobs app's db_worker also queues periodic jobs (the purge of expired stories).
    with contextlib.suppress(KeyboardInterrupt):
        call_command("db_worker", reload=False)
    return EXIT_OK


def cmd_purge_expired(args: argparse.Namespace) -> int:
    from cohub.apps.stories.services import stories_purge_expired

    removed = stories_purge_expired()
    print(f"Removed {removed} story(ies) whose keep-until date has passed.")
    return EXIT_OK


def _storyteller_named(project: Any, name: str, *, withdrawn_too: bool = False) -> Any:
    """The project's storyteller by their name, their real name or their number.

    Names are compared as the hub compares them (capitals and spacing ignored);
    a name two storytellers share (real names may) is refused with their numbers.
    Withdrawing asks only among those who have not withdrawn; ``withdrawn_too``
    is for a subject access request, since what is held about someone after
    withdrawal is theirs too.
    """
    from cohub.apps.stories.models import Storyteller
    from cohub.apps.stories.services import pseudonym_key

    candidates = Storyteller.objects.filter(project=project).order_by("pk")
    if not withdrawn_too:
        candidates = candidates.filter(withdrawn_at__isnull=True)
    storytellers = list(candidates)
    wanted = pseudonym_key(name)
    for field in ("pseudonym", "real_name"):
        found = [s for s in storytellers if pseudonym_key(getattr(s, field) or "") == wanted]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            numbers = ", ".join(str(s.pk) for s in found)
            raise CliError(
                f"{len(found)} storytellers in {project.slug!r} are called {name!r} "
                f"(numbers {numbers}): give the number instead."
            )
    number = name.strip().lstrip("#")
    if number.isdigit():
        found = [s for s in storytellers if s.pk == int(number)]
        if found:
            return found[0]
    still = "" if withdrawn_too else " who has not withdrawn"
    raise CliError(f"there is no storyteller called {name!r} in {project.slug!r}{still}.")


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw a storyteller's consent: the same service, and the same removal, as the page."""
    from cohub.apps.stories.derived import derived_counts
    from cohub.apps.stories.services import consent_withdraw

    project = _project(args.project)
    actor = _actor(args.actor)
    _require(actor, project, "stories.withdraw_consent", action="withdraw consent")
    storyteller = _storyteller_named(project, args.storyteller)
    story_ids = list(storyteller.stories.values_list("pk", flat=True))
    if not args.yes:
        print(
            f"Withdrawing consent for {storyteller.pseudonym} in {project.slug!r} would remove, "
            "for good:"
        )
        print(f"  {len(story_ids)} {'story' if len(story_ids) == 1 else 'stories'}")
        for count in derived_counts(story_ids):
            if count.number:
                print(f"  {count.label}")
        print("  their personal details (name, description and the rest of their profile)")
        print("Nothing was changed. Run the command again with --yes to do it.")
        return EXIT_FAILED
    removed = consent_withdraw(storyteller=storyteller, actor=actor, note=args.note or "")
    print(
        f"Consent withdrawn. {removed} {'story' if removed == 1 else 'stories'} "
        "and everything made from them were removed."
    )
    return EXIT_OK


def _speakers(value: str) -> int | str:
    if value in ("auto", "none"):
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of voices, 'auto' or 'none'")
    return number


def cmd_import_media(args: argparse.Namespace) -> int:
    """Add recordings as stories and queue their transcription; ``--wait`` sees them done."""
    from cohub.apps.core.errors import ServiceError
    from cohub.apps.stories.recordings import story_add_recording
    from cohub.apps.stories.transcription import speakers_default
    from cohub.pipeline.media import MediaError

    project = _project(args.project)
    actor = _actor(args.actor)
    # Adding recordings adds stories and, unless --storyteller names one who exists,
    # registers storytellers: the web asks for both, as import-transcript does.
    _require(actor, project, "stories.add_story", action="add stories")
    _require(actor, project, "stories.manage_storyteller", action="register storytellers")
    pseudonym = (args.storyteller or "").strip()
    scopes = args.consent if args.consent is not None else GATHERING_SCOPES
    consent: dict[str, Any] = {scope.value: True for scope in scopes}
    if args.keep_until is not None:
        consent["keep_until"] = args.keep_until
    speakers = speakers_default() if args.speakers is None else args.speakers
    if speakers == "none":
        speakers = None
    jobs: list[tuple[str, Any]] = []
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            added = story_add_recording(
                project=project,
                storyteller=None,
                actor=actor,
                path=path,
                filename=path.name,
                title=args.title or "",
                speakers=speakers,
                new_storyteller=pseudonym,
                consent_for_new=consent,
                consent_note="Recorded with a command-line import (cohub import-media).",
            )
        except (MediaError, ServiceError) as exc:
            print(f"error {name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        story = added.story
        if added.job is None:
            print(
                f"kept {name} as story #{story.pk} '{story.title}'; it will be transcribed once "
                f"{story.storyteller.pseudonym} agrees to transcription"
            )
        else:
            print(f"added {name} as story #{story.pk} '{story.title}'; transcription queued")
            jobs.append((name, added.job))
    if args.wait and jobs:
        failed += _wait_for_transcripts(jobs)
    return EXIT_FAILED if failed else EXIT_OK


def _wait_for_transcripts(jobs: Sequence[tuple[str, Any]]) -> int:
    """Show each transcription to its end, running it here unless a worker already has it.

    Returns how many failed. A job a worker started is followed; one still
    waiting is run in this process (the same ``job_run`` a worker calls), so
    ``--wait`` finishes with or without a worker.
    """
    import threading

    from django.db import connections

    from cohub.apps.jobs.models import Job, JobStatus
    from cohub.apps.jobs.services import job_run
    from cohub.terminal import ProgressBar

    failed = 0
    for name, job in jobs:
        runner = None
        if Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).exists():

            def run(job_id: int = job.pk) -> None:
                try:
                    job_run(job_id)
                finally:
                    connections.close_all()

            runner = threading.Thread(target=run, name=f"transcribe-{job.pk}", daemon=True)
            runner.start()
        bar = ProgressBar(name)
        started = time.monotonic()
        while True:
            current = Job.objects.filter(pk=job.pk).first()
            if current is None:
                outcome = "removed before it was transcribed"
                failed += 1
                break
            fraction = current.progress / 100
            bar.update(fraction, _seconds_left(fraction, time.monotonic() - started))
            if current.status == JobStatus.SUCCEEDED:
                parts = current.result.get("segments", 0)
                outcome = f"transcribed: {parts} part{'s' if parts != 1 else ''}"
                break
            if current.status == JobStatus.FAILED:
                outcome = f"not transcribed: {current.error.partition(': ')[2] or current.error}"
                failed += 1
                break
            if runner is not None:
                runner.join(0.5)
            else:
                threading.Event().wait(0.5)
        bar.close()
        # The outcome is said whether or not stderr is a terminal (a log keeps it too).
        print(f"{name}: {outcome}", file=sys.stderr, flush=True)
    return failed


def _seconds_left(fraction: float, elapsed: float) -> float | None:
    """A rough guess from how long the part done so far took; None until there is a part."""
    if fraction < 0.05 or fraction >= 1:
        return None
    return elapsed * (1 - fraction) / fraction


class _FileOnDisk:
    """A file named on the command line, opened only when the import reads it.

    So a missing or unreadable file is reported with the others, by the import.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return self.path.name

    def read(self, size: int = -1, /) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(size)


def cmd_import_transcript(args: argparse.Namespace) -> int:
    from cohub.apps.stories.selectors import story_part_count
    from cohub.apps.stories.services import stories_import_batch

    project = _project(args.project)
    actor = _actor(args.actor)
    # Importing adds stories and, unless --storyteller names one who exists,
    # registers storytellers: the web asks for both.
    _require(actor, project, "stories.add_story", action="import stories")
    _require(actor, project, "stories.manage_storyteller", action="register storytellers")
    scopes = args.consent if args.consent is not None else GATHERING_SCOPES
    consent: dict[str, Any] = {scope.value: True for scope in scopes}
    if args.keep_until is not None:
        consent["keep_until"] = args.keep_until
    batch = stories_import_batch(
        project=project,
        actor=actor,
        files=[_FileOnDisk(Path(name)) for name in args.files],
        storyteller_pseudonym=args.storyteller or "",
        consent_for_new=consent,
        consent_note="Recorded with a command-line import (cohub import-transcript).",
        title=args.title or "",
    )
    for name, result in zip(args.files, batch.files, strict=True):
        if result.story is None:
            print(f"error {name}: {result.error}", file=sys.stderr)
            continue
        segments = story_part_count(result.story)
        new = (
            f" for the new storyteller '{result.story.storyteller.pseudonym}'"
            if result.storyteller_created
            else ""
        )
        print(
            f"imported {name} as story #{result.story.pk} '{result.story.title}' "
            f"({segments} segment{'s' if segments != 1 else ''}){new}"
        )
    return EXIT_FAILED if batch.failed else EXIT_OK


def _speaker_count(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--speakers takes a number of speakers or 'auto', not {value!r}"
        ) from None
    if not 1 <= number <= 20:
        raise argparse.ArgumentTypeError("--speakers must be between 1 and 20 (or 'auto')")
    return number


def _theme_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--themes takes a number of themes, not {value!r}"
        ) from None
    if not 1 <= number <= 200:
        raise argparse.ArgumentTypeError("--themes must be between 1 and 200")
    return number


def cmd_transcribe(args: argparse.Namespace) -> int:
    """Transcripts of recordings outside any project: no database, no account.

    One file and no ``--output-dir``: the transcript goes to stdout. Several
    files: each transcript is written beside its file (or into the folder),
    named after it, so nothing is lost by mixing transcripts in one stream.
    """
    from cohub.pipeline import captions
    from cohub.pipeline.asr import AsrError, Progress, default_engine, transcribe_media
    from cohub.terminal import ProgressBar

    paths = [Path(name) for name in args.files]
    to_stdout = args.output_dir is None and len(paths) == 1
    if args.output_dir is not None and not args.output_dir.is_dir():
        raise CliError(f"There is no folder {args.output_dir}; make it first.")
    engine = default_engine()
    failed = 0
    for path in paths:
        bar = ProgressBar(path.name)

        def show(step: Progress, bar: ProgressBar = bar) -> None:
            bar.update(step.fraction, step.seconds_left)

        try:
            with bar:
                result = transcribe_media(
                    path, engine=engine, speakers=args.speakers, progress=show
                )
        except AsrError as exc:
            failed += 1
            print(f"error {path}: {exc}", file=sys.stderr)
            continue
        text = captions.write(result.segments, args.format)
        if to_stdout:
            sys.stdout.write(text)
            continue
        folder = args.output_dir if args.output_dir is not None else path.parent
        target = folder / f"{path.stem}.{args.format}"
        if target.resolve() == path.resolve():
            target = folder / f"{path.name}.{args.format}"
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_themes_suggest(args: argparse.Namespace) -> int:
    """Suggest themes for quotes in a JSON-lines file, with the hub's own engine.

    No database: the same :func:`cohub.pipeline.cluster.group_texts` the hub's
    suggestion runs use. Writes one JSON object per quote (``id``, ``theme``,
    ``score``) to stdout or ``--output``; a summary of the themes goes to stderr.
    """
    from cohub.pipeline.cluster import ClusterError, group_texts
    from cohub.pipeline.embed import EmbedError
    from cohub.pipeline.quotes_jsonl import QuotesFileError, read_quotes

    path = Path(args.file)
    try:
        with path.open(encoding="utf-8") as handle:
            quotes = read_quotes(handle)
    except FileNotFoundError:
        raise CliError(f"There is no file {path}.", EXIT_FAILED) from None
    except UnicodeDecodeError:
        raise CliError(f"{path} is not UTF-8 text; save it as UTF-8 and try again.") from None
    except IsADirectoryError:
        raise CliError(f"{path} is a folder; give a .jsonl file.", EXIT_FAILED) from None
    except QuotesFileError as exc:
        raise CliError(f"{path} has lines we cannot read:\n{exc}", EXIT_FAILED) from None
    if not quotes:
        raise CliError(f"{path} has no quotes in it (one JSON object per line).", EXIT_FAILED)
    try:
        grouping = group_texts(
            [q.text for q in quotes],
            themes=args.themes,
            framework=args.framework or "",
            engine=args.model or "",
        )
    except (ClusterError, EmbedError) as exc:
        raise CliError(str(exc)) from exc
    lines = [
        json.dumps(
            {"id": q.id, "theme": grouping.label_of(i), "score": grouping.placements[i].score},
            ensure_ascii=False,
        )
        for i, q in enumerate(quotes)
    ]
    text = "\n".join(lines) + "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(
                f"cannot write {args.output}: {exc.strerror or exc}", EXIT_FAILED
            ) from exc
    print(
        f"{len(quotes)} quotes in {len(grouping.themes)} themes"
        + (f", {len(grouping.unsorted)} unsorted" if grouping.unsorted else ""),
        file=sys.stderr,
    )
    for theme in grouping.themes:
        print(f"  {theme.size:>4}  {theme.label}", file=sys.stderr)
    return EXIT_OK


def cmd_export_findings(args: argparse.Namespace) -> int:
    from cohub.apps.reports.services import findings_export_csv

    project = _project(args.project)
    actor = _actor(args.actor)
    _require(actor, project, "reports.export_findings", action="export the findings")
    text = findings_export_csv(project=project, actor=actor)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_FAILED) from exc
    print(f"wrote the findings of {project.slug!r} to {args.output}")
    return EXIT_OK


def cmd_export_qdpx(args: argparse.Namespace) -> int:
    """The project as REFI-QDA (.qdpx), or its codebook alone (.qdc), for other analysis tools."""
    from cohub.apps.exchange.services import qdc_export, qdpx_export

    project = _project(args.project)
    actor = _actor(args.actor)
    _require(
        actor,
        project,
        "exchange.export_project",
        action="export the project for other analysis tools",
    )
    codebook = args.codebook_only or str(args.output).lower().endswith(".qdc")
    exported = (qdc_export if codebook else qdpx_export)(project=project, actor=actor)
    try:
        Path(args.output).write_bytes(exported.content)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_FAILED) from exc
    done = exported.summary
    if codebook:
        print(f"wrote the codebook of {project.slug!r} ({done.themes} themes) to {args.output}")
        return EXIT_OK
    left = (
        f"; {done.left_out_stories} stories left out because consent does not cover exporting"
        if done.left_out_stories
        else ""
    )
    print(
        f"wrote {project.slug!r} to {args.output}: {done.themes} themes, {done.sources} "
        f"stories, {done.quotes} quotes, {done.codings} codings{left}"
    )
    return EXIT_OK


def _organisation_for(actor: Any, slug: str | None) -> Any:
    """The organisation a new project goes in: named, the actor's own, or the only one there is."""
    from cohub.apps.accounts.models import Organisation

    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CliError(f"there is no organisation with the slug {slug!r}.")
        return organisation
    if actor is not None:
        mine = Organisation.objects.filter(memberships__user=actor).distinct()
        if mine.count() == 1:
            return mine.get()
    every = Organisation.objects.all()
    if every.count() == 1:
        return every.get()
    raise CliError(
        "the project does not exist yet and it is not clear which organisation it belongs to: "
        "name one with --organisation SLUG."
    )


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    """Codes, text sources and coded selections from a .qdpx (or codes from a .qdc)."""
    from cohub.apps.exchange.services import qda_import, qda_import_new_project
    from cohub.apps.projects.models import Project

    actor = _actor(args.actor)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}", EXIT_FAILED) from exc

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    project = Project.objects.filter(slug=args.project).first()
    if project is None:
        from django.utils.text import slugify

        if slugify(args.project) != args.project:
            raise CliError(
                f"{args.project!r} cannot be a project's slug; try {slugify(args.project)!r}."
            )
        organisation = _organisation_for(actor, args.organisation)
        if actor is not None and not actor.has_perm("projects.add_project", organisation):
            raise CliError(
                f"{actor.email} may not start projects in {organisation.slug!r}.", EXIT_FAILED
            )
        project, report = qda_import_new_project(
            slug=args.project,
            organisation=organisation,
            actor=actor,
            data=data,
            filename=path.name,
            progress=progress,
        )
        print(f"made the project {project.slug!r} in {organisation.slug!r}")
    else:
        _require(actor, project, "exchange.import_project", action="import from other tools")
        report = qda_import(
            project=project, actor=actor, data=data, filename=path.name, progress=progress
        )
    for warning in report.warnings:
        print(f"left out: {warning}", file=sys.stderr)
    print(
        f"imported {path.name} into {project.slug!r}: {report.themes_created} new themes "
        f"({report.themes_found} already there), {report.stories_created} new stories "
        f"({report.stories_found} already there), {report.quotes_created} new quotes "
        f"({report.quotes_found} already there), {report.codings_added} codings added"
    )
    if report.storytellers_created:
        print(
            f"{report.storytellers_created} new storytellers have consent to record and "
            "transcribe only: record what each agreed to before quoting them"
        )
    return EXIT_OK


def _write_made(args: argparse.Namespace, made: Any, what: str) -> int:
    """Put an exported file where ``--output`` says: standard output for ``-`` (or no
    ``--output``, except a PDF, which goes to its own file name rather than a terminal)."""
    output = args.output
    if output is None and args.format == "pdf":
        output = made.filename
    if output in (None, "-"):
        sys.stdout.buffer.write(made.content)
        sys.stdout.flush()
        return EXIT_OK
    try:
        Path(output).write_bytes(made.content)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}", EXIT_FAILED) from exc
    print(f"wrote {what} to {output}", file=sys.stderr)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """The findings report as a file, from the same builder as the hub's pages (ADR 0031)."""
    from cohub.apps.reports.models import ReportVersion
    from cohub.apps.reports.report import Kind
    from cohub.apps.reports.services import report_export

    project = _project(args.project)
    actor = _actor(args.actor)
    _require(actor, project, "reports.export_findings", action="export the findings report")
    version = None
    if args.version is not None:
        version = ReportVersion.objects.filter(project=project, pk=args.version).first()
        if version is None:
            raise CliError(f"{project.slug!r} has no saved report version {args.version}.")
    kind = Kind.EASY_READ if args.easy_read else Kind.OVERVIEW if args.overview else Kind.FULL
    made = report_export(
        project=project,
        actor=actor,
        fmt=args.format,
        kind=kind,
        version=version,
        base_url=(args.base_url or os.environ.get("COHUB_SITE_URL", "")).rstrip("/"),
        via="cli",
    )
    return _write_made(args, made, f"the {kind.label.lower()} of {project.slug!r}")


def cmd_unlock(args: argparse.Namespace) -> int:
    """Let someone log in again at once after too many wrong passwords."""
    from cohub.apps.accounts.lockout import unlock

    email = args.email.strip().lower()
    cleared = unlock(email)
    if cleared:
        print(f"{email} can log in again now.")
    else:
        print(f"{email} was not locked out; nothing to do.")
    return EXIT_OK


def cmd_reset_two_step(args: argparse.Namespace) -> int:
    """Remove someone's authenticator app and backup codes, when they have lost both."""
    from cohub.apps.accounts.models import User
    from cohub.apps.projects.twofactor.services import two_step_reset

    email = args.email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CliError(f"there is no account for {email}.")
    if two_step_reset(user=user):
        print(
            f"{email}'s two-step sign-in was removed. At their next login they set it up again "
            "(facilitators and admins must)."
        )
    else:
        print(f"{email} had no two-step sign-in set up; nothing to do.")
    return EXIT_OK


def cmd_subject_access(args: argparse.Namespace) -> int:
    from cohub.apps.audit.services import subject_access_write

    project = _project(args.project)
    storyteller = _storyteller_named(project, args.storyteller, withdrawn_too=True)
    actor = _actor(args.actor)
    _require(actor, project, "audit.subject_access", action="download what we hold about someone")
    try:
        with open(args.output, "xb" if not args.overwrite else "wb") as out:
            os.chmod(args.output, 0o600)  # it holds everything about one person
            result = subject_access_write(
                storyteller=storyteller, actor=actor, out=out, via="command line"
            )
    except FileExistsError as exc:
        raise CliError(
            f"{args.output} exists already: choose another file, or add --overwrite.",
            EXIT_FAILED,
        ) from exc
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_FAILED) from exc
    print(
        f"wrote everything held about storyteller {storyteller.pk} in {project.slug!r} to "
        f"{args.output} ({len(result.files)} files)"
    )
    return EXIT_OK


def cmd_createuser(args: argparse.Namespace) -> int:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from cohub.apps.accounts.models import User

    email = args.email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise CliError(f"a user with the email {email!r} already exists.", EXIT_FAILED)
    password = args.password
    if password is None:
        if not sys.stdin.isatty():
            raise CliError("give --password, or run this in a terminal to be asked for one.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CliError("the two passwords are different.", EXIT_FAILED)
    candidate = User(email=email, display_name=args.display_name or "")
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise CliError(" ".join(exc.messages), EXIT_FAILED) from None
    User.objects.create_user(
        email,
        password,
        display_name=args.display_name or "",
        is_staff=args.admin,
        is_superuser=args.admin,
    )
    print(f"created user {email}")
    return EXIT_OK


# Parser ----------------------------------------------------------------


def _read_list(path: Path | None) -> list[str]:
    """One term a line; blank lines and lines starting with # are skipped."""
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} is not UTF-8 text") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _finding_line(source: str, text: str, finding: Any) -> str:
    line = text.count("\n", 0, finding.start) + 1
    column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
    return (
        f"{source}:{line}:{column}: {finding.kind.value} {finding.text!r} -> "
        f"{finding.replacement} ({finding.source})"
    )


def cmd_redact(args: argparse.Namespace) -> int:
    """De-identified text on stdout, what was replaced on stderr; the hub's engine and lists.

    Each file (or each ``--jsonl`` line) is one story: the same person has the
    same number all through it. ``-`` reads standard input.
    """
    import json

    from cohub.pipeline.redact import Lists, redactor

    lists = Lists.of(deny=_read_list(args.deny), allow=_read_list(args.allow))
    if args.project:
        from cohub.apps.redaction.selectors import project_lists

        mine = project_lists(_project(args.project))
        lists = Lists(deny=mine.deny + lists.deny, allow=mine.allow + lists.allow)
    engine = redactor()
    failed = 0
    for name in args.files:
        try:
            content = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            failed += 1
            print(f"error {name}: {exc.strerror or exc}", file=sys.stderr)
            continue
        except UnicodeDecodeError:
            failed += 1
            print(f"error {name}: not UTF-8 text", file=sys.stderr)
            continue
        source = "stdin" if name == "-" else name
        if not args.jsonl:
            redacted, findings = engine.redact(content, lists)
            sys.stdout.write(redacted)
            for finding in findings:
                print(_finding_line(source, content, finding), file=sys.stderr)
            continue
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                failed += 1
                print(f"error {source}:{number}: not JSON ({exc.msg})", file=sys.stderr)
                continue
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                failed += 1
                print(
                    f"error {source}:{number}: each line needs an object with a 'text' string",
                    file=sys.stderr,
                )
                continue
            redacted, findings = engine.redact(item["text"], lists)
            out = {
                "id": item.get("id"),
                "text": redacted,
                "findings": [finding.as_dict() for finding in findings],
            }
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK


# Assessments (issue 8) ---------------------------------------------------


def _load_frameworks() -> None:
    from cohub.apps.assess.services import frameworks_load

    frameworks_load()


def cmd_assess_load(args: argparse.Namespace) -> int:
    from cohub.apps.assess.services import frameworks_load

    loaded = frameworks_load()
    for version in loaded.added:
        print(f"added {version.framework.key} version {version.version}: {version.title}")
    print(f"{len(loaded.added)} added, {len(loaded.unchanged)} already loaded")
    return EXIT_OK


def _framework(key: str) -> Any:
    from cohub.apps.assess.selectors import framework_version, shipped_frameworks

    version = framework_version(key)
    if version is None:
        keys = ", ".join(v.framework.key for v in shipped_frameworks())
        raise CliError(f"there is no framework {key!r}; the frameworks are: {keys}")
    return version


def cmd_assess_frameworks(args: argparse.Namespace) -> int:
    from cohub.apps.assess.selectors import shipped_frameworks, version_items

    _load_frameworks()
    if args.items:
        for item in version_items(_framework(args.items)):
            print(f"{item.key}\t{item.title}")
        return EXIT_OK
    for version in shipped_frameworks():
        print(f"{version.framework.key}\t{version.title}")
    return EXIT_OK


def cmd_assess_results(args: argparse.Namespace) -> int:
    from cohub.apps.assess import scoring
    from cohub.apps.assess.models import AnswerKind
    from cohub.apps.assess.selectors import version_items

    _load_frameworks()
    version = _framework(args.framework)
    if version.answer_kind == AnswerKind.MATRIX:
        raise CliError(
            f"{args.framework!r} is answered by choosing a cell, which has no median; "
            "choose a framework answered on a scale or the ladder"
        )
    options = version.choices if version.answer_kind == AnswerKind.LADDER else scoring.SCALE
    items = list(version_items(version))
    titles = {item.key: item.title for item in items}
    try:
        with open(args.file, encoding="utf-8-sig", newline="") as handle:
            answers = scoring.read_answers(handle, items=list(titles), options=options)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}", EXIT_FAILED) from None
    except UnicodeDecodeError:
        raise CliError(f"{args.file} is not UTF-8 text", EXIT_FAILED) from None
    except scoring.AnswersFileError as exc:
        raise CliError(f"{args.file}: {exc}", EXIT_FAILED) from None
    from django.conf import settings

    min_group = args.min_group or settings.COHUB_ASSESS_MIN_GROUP
    for result in scoring.score_items(list(titles), answers, min_group=min_group):
        print(json.dumps(scoring.result_record(result, titles[result.item])))
    return EXIT_OK


def cmd_assess_report(args: argparse.Namespace) -> int:
    """The round report as a file, from the hub's own builder (ADR 0035)."""
    from cohub.apps.assess.models import AssessmentRound
    from cohub.apps.assess.services import round_report_export

    assessment = (
        AssessmentRound.objects.select_related("project", "organisation")
        .filter(pk=args.round)
        .first()
    )
    if assessment is None:
        raise CliError(f"there is no assessment round {args.round}.")
    actor = _actor(args.actor)
    if assessment.project is not None:
        _require(actor, assessment.project, "assess.view_results", action="make the round report")
    elif actor is not None and not actor.has_perm(
        "assess.view_org_results", assessment.organisation
    ):
        # A round for a whole organisation (ADR 0028): for everyone who belongs to it.
        raise CliError(
            f"{actor.email} may not make the round report of round {args.round}: it is "
            f"for the whole of {assessment.organisation.name}, and only the people in its "
            "projects, or in the organisation itself, read it.",
            EXIT_FAILED,
        )
    made = round_report_export(assessment=assessment, actor=actor, fmt=args.format, via="cli")
    return _write_made(args, made, f"the report of round {assessment.pk}")


def _min_group(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("the smallest group shown must be at least 1")
    return number


PROJECT_HELP = "the project's short name, as in its address (/p/SLUG/)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cohub",
        description="Run cohub on this machine, load the demo, import transcripts, "
        "export findings.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str,
        handler: Callable[[argparse.Namespace], int],
        help: str,  # noqa: A002
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    add("demo", cmd_demo, "Set up the database and load the demo project (safe to run again).")

    serve = add("serve", cmd_serve, "Run the web app and the job worker in the foreground.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--no-worker", action="store_true", help="do not start the job worker alongside"
    )

    worker = add("worker", cmd_worker, "Run the job worker in the foreground.")
    worker.add_argument(
        "--only-worker",
        action="store_true",
        help="this is the only worker, so any job still marked running was left by a "
        "stopped worker and is queued again",
    )

    add(
        "purge-expired",
        cmd_purge_expired,
        "Remove stories whose keep-until date has passed (the worker also does this "
        "every six hours).",
    )

    withdraw = add(
        "withdraw",
        cmd_withdraw,
        "Withdraw a storyteller's consent and remove their stories and everything made "
        "from them (without --yes, only says what would go).",
    )
    withdraw.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    withdraw.add_argument(
        "--storyteller", required=True, metavar="NAME", help="their pseudonym, or real name"
    )
    withdraw.add_argument("--yes", action="store_true", help="really do it")
    withdraw.add_argument("--note", metavar="TEXT", help="how they told you (optional)")
    withdraw.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the facilitator doing it (default: the server's operator, a system action)",
    )

    imp = add(
        "import-transcript",
        cmd_import_transcript,
        "Import transcript files (.txt, .vtt, .srt, .docx) as stories.",
    )
    imp.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    imp.add_argument(
        "--storyteller",
        metavar="NAME",
        help="the storyteller's pseudonym; reused if they exist in the project, else created "
        "(default: a new storyteller named after each file)",
    )
    imp.add_argument(
        "--consent",
        type=_consent_scopes,
        metavar="SCOPES",
        help="for a new storyteller, what they agreed to, comma-separated from: "
        f"{', '.join(ConsentScope.values)} "
        f"(default: {','.join(scope.value for scope in GATHERING_SCOPES)})",
    )
    imp.add_argument(
        "--keep-until",
        type=_date,
        metavar="YYYY-MM-DD",
        help="for a new storyteller, the date their story may be kept until",
    )
    imp.add_argument("--title", help="the story title (default: from the file name)")
    imp.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user doing the import, with their roles in the project "
        "(default: the server's operator, recorded as a system action)",
    )
    imp.add_argument(
        "files", nargs="+", metavar="FILE", help="transcript files (.txt, .vtt, .srt, .docx)"
    )

    transcribe = add(
        "transcribe",
        cmd_transcribe,
        "Write transcripts of audio or video files, offline (no project needed).",
    )
    transcribe.add_argument(
        "--format",
        choices=["vtt", "srt", "json", "txt"],
        default="txt",
        help="vtt or srt captions, json (a list of segments with start, end, speaker, text) "
        "or plain text (default: txt)",
    )
    transcribe.add_argument(
        "--speakers",
        type=_speaker_count,
        metavar="N",
        help="tell this many voices apart and name them Speaker 1, Speaker 2, ... "
        "('auto' guesses how many)",
    )
    transcribe.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write each transcript into DIR, named after its file (default: stdout for one "
        "file, beside each file for several)",
    )
    transcribe.add_argument(
        "files", nargs="+", metavar="FILE", help="sound or video files, any format ffmpeg reads"
    )

    export = add(
        "export-findings", cmd_export_findings, "Write the project's quotes and codes as CSV."
    )
    export.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    export.add_argument("--output", "-o", metavar="PATH", help="file to write (default: stdout)")
    export.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user doing the export, with their roles in the project "
        "(default: the server's operator, recorded as a system action)",
    )

    qdpx_out = add(
        "export-qdpx",
        cmd_export_qdpx,
        "Write the project as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder, "
        "with only what consent lets out; or its codebook alone (.qdc).",
    )
    qdpx_out.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    qdpx_out.add_argument(
        "--output",
        "-o",
        required=True,
        metavar="FILE",
        help="a .qdpx file, or .qdc for the codebook",
    )
    qdpx_out.add_argument(
        "--codebook-only", action="store_true", help="write the codebook alone (.qdc)"
    )
    qdpx_out.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user doing the export, with their roles in the project "
        "(default: the server's operator, recorded as a system action)",
    )

    qdpx_in = add(
        "import-qdpx",
        cmd_import_qdpx,
        "Import a REFI-QDA project (.qdpx: codes, text sources, coded selections) or "
        "codebook (.qdc) into a project, made if it does not exist yet.",
    )
    qdpx_in.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    qdpx_in.add_argument(
        "--organisation",
        metavar="SLUG",
        help="for a new project, the organisation it belongs to (default: yours, or the only one)",
    )
    qdpx_in.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user doing the import (default: the server's operator, a system action)",
    )
    qdpx_in.add_argument("file", metavar="FILE", help="a .qdpx or .qdc file")

    report = add(
        "report",
        cmd_report,
        "Write the project's findings report as HTML or PDF (the hub's own report).",
    )
    report.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    report.add_argument(
        "--format", choices=("html", "pdf"), default="html", help="html (default) or pdf"
    )
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--easy-read", action="store_true", help="the easy-read version")
    shape.add_argument("--overview", action="store_true", help="the two-page overview")
    report.add_argument(
        "--version",
        type=int,
        metavar="ID",
        help="a saved version for one audience (its number in the hub's address)",
    )
    report.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="file to write; '-' for stdout (default: stdout for html, "
        "SLUG-report-DATE.pdf in this folder for pdf)",
    )
    report.add_argument(
        "--base-url",
        metavar="URL",
        help="the hub's address, so the report's links lead back to it "
        "(default: $COHUB_SITE_URL, else links stay relative)",
    )
    report.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user making the report, with their roles in the project "
        "(default: the server's operator, recorded as a system action)",
    )

    held = add(
        "subject-access",
        cmd_subject_access,
        "Write everything held about one storyteller to a zip file (a subject access request).",
    )
    held.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    held.add_argument(
        "--storyteller",
        required=True,
        metavar="NAME",
        help="the name the team uses, their real name, or their number",
    )
    held.add_argument("--output", "-o", required=True, metavar="FILE", help="the zip to write")
    held.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    held.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user doing it, with their roles in the project "
        "(default: the server's operator, recorded as the command line)",
    )

    media = add(
        "import-media",
        cmd_import_media,
        "Add sound or video recordings as stories and transcribe them.",
    )
    media.add_argument("--project", required=True, metavar="SLUG", help=PROJECT_HELP)
    media.add_argument(
        "--storyteller",
        metavar="NAME",
        help="the storyteller's pseudonym; reused if they exist in the project, else created "
        "(default: a new storyteller named after each file)",
    )
    media.add_argument(
        "--consent",
        type=_consent_scopes,
        metavar="SCOPES",
        help="for a new storyteller, what they agreed to, comma-separated from: "
        f"{', '.join(ConsentScope.values)} "
        f"(default: {','.join(scope.value for scope in GATHERING_SCOPES)}); without "
        "transcribe the recording is kept but not written out",
    )
    media.add_argument(
        "--keep-until",
        type=_date,
        metavar="YYYY-MM-DD",
        help="for a new storyteller, the date their story may be kept until",
    )
    media.add_argument("--title", help="the story title (default: from the file name)")
    media.add_argument(
        "--speakers",
        type=_speakers,
        metavar="N|auto|none",
        help="how many voices to tell apart (default: auto where this install can)",
    )
    media.add_argument(
        "--wait",
        action="store_true",
        help="show a progress bar until the transcripts are in, doing the work here "
        "when no worker has started it",
    )
    media.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user adding the recordings, with their roles in the project "
        "(default: the server's operator, recorded as a system action)",
    )
    media.add_argument(
        "files", nargs="+", metavar="FILE", help="sound or video files, any format ffmpeg reads"
    )

    redact = add(
        "redact",
        cmd_redact,
        "Replace personal details in text files with [PERSON 1] and the like, offline: "
        "the text to stdout, what was replaced to stderr.",
    )
    redact.add_argument(
        "--jsonl",
        action="store_true",
        help="read one JSON object a line with 'id' and 'text'; write one a line with "
        "'id', the de-identified 'text' and its 'findings'",
    )
    redact.add_argument(
        "--deny",
        type=Path,
        metavar="FILE",
        help="words that are always personal here, one a line, optionally 'kind: words' "
        "(for example 'person: Shaz' or 'Brookside Centre')",
    )
    redact.add_argument(
        "--allow",
        type=Path,
        metavar="FILE",
        help="words never to replace, one a line (public figures, your own organisation)",
    )
    redact.add_argument(
        "--project",
        metavar="SLUG",
        help="also use this project's lists of words to replace or keep, as the hub does",
    )
    redact.add_argument("files", nargs="+", metavar="FILE", help="files to read; - for stdin")

    themes = commands.add_parser(
        "themes", help="Theme suggestions outside any project.", description="Theme suggestions."
    )
    theme_commands = themes.add_subparsers(dest="themes_command", metavar="COMMAND", required=True)
    suggest = theme_commands.add_parser(
        "suggest",
        help="Group quotes from a JSON-lines file into suggested themes.",
        description='Read one JSON object per line with "text" (and optionally "id"); '
        'write one per line with "id", "theme" (its label) and "score" (0-1, how '
        "well the quote fits it). Offline, with the same engine as the hub.",
    )
    suggest.set_defaults(handler=cmd_themes_suggest)
    suggest.add_argument(
        "file", metavar="FILE.jsonl", help='one JSON object a line: "text", and "id" if you like'
    )
    suggest.add_argument(
        "--themes",
        type=_theme_count,
        metavar="N",
        help="how many themes to make (default: chosen from the quotes, 5-40)",
    )
    suggest.add_argument(
        "--framework",
        choices=["conditions", "values"],
        help="start from a framework: the conditions of co-production, or its principles",
    )
    suggest.add_argument(
        "--model",
        choices=["e5", "minilm"],
        help="the embedding model (default: COHUB_EMBED_MODEL, else e5)",
    )
    suggest.add_argument("--output", "-o", metavar="PATH", help="file to write (default: stdout)")

    assess = commands.add_parser(
        "assess",
        help="Co-production assessment: frameworks and scoring answers.",
        description="Co-production assessment frameworks, and the hub's scoring of answers.",
    )
    assess_commands = assess.add_subparsers(dest="assess_command", metavar="COMMAND", required=True)
    assess_load = assess_commands.add_parser(
        "load",
        help="Load the framework files into the database (safe to run again).",
        description="Load the framework files into the database (safe to run again).",
    )
    assess_load.set_defaults(handler=cmd_assess_load)
    assess_frameworks = assess_commands.add_parser(
        "frameworks",
        help="One line per framework (key, then title), or per item with --items.",
        description="One line per framework: its key, then its title.",
    )
    assess_frameworks.set_defaults(handler=cmd_assess_frameworks)
    assess_frameworks.add_argument(
        "--items", metavar="KEY", help="list this framework's items instead"
    )
    assess_results = assess_commands.add_parser(
        "results",
        help="Score answers from a CSV file, one JSON line per item, largest gap first.",
        description="Read answers with the columns respondent,group,item,answer and print "
        'one JSON object per item, largest gap between groups first: "item", "title", '
        '"all" and "groups" (each "n" and "median", null below the smallest group shown) '
        'and "gap" (in scale steps).',
    )
    assess_results.set_defaults(handler=cmd_assess_results)
    assess_results.add_argument(
        "--framework",
        required=True,
        metavar="KEY",
        help="the framework the answers are to (see: cohub assess frameworks)",
    )
    assess_results.add_argument(
        "--min-group",
        type=_min_group,
        default=None,
        metavar="N",
        help="show a group's median only when at least N of it answered "
        "(default: COHUB_ASSESS_MIN_GROUP, 3)",
    )
    assess_results.add_argument(
        "file", metavar="FILE.csv", help="answers with the columns respondent,group,item,answer"
    )
    assess_report = assess_commands.add_parser(
        "report",
        help="Write a round's report as HTML or PDF (the hub's own report).",
        description="Write an assessment round's report: charts, gaps widest first, "
        "comments and agreed actions, as the hub's report page shows it.",
    )
    assess_report.set_defaults(handler=cmd_assess_report)
    assess_report.add_argument(
        "--round", required=True, type=int, metavar="ID", help="the round's number"
    )
    assess_report.add_argument(
        "--format", choices=("html", "pdf"), default="html", help="html (default) or pdf"
    )
    assess_report.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="file to write; '-' for stdout (default: stdout for html, "
        "a dated file in this folder for pdf)",
    )
    assess_report.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the user making the report, with their roles in the project "
        "(default: the server's operator, recorded as a system action)",
    )

    create = add("createuser", cmd_createuser, "Add a user who can log in.")
    create.add_argument("email", help="the address they log in with")
    create.add_argument("--password", help="(default: asked for in the terminal)")
    create.add_argument("--display-name", default="", help="the name others see (default: none)")
    create.add_argument(
        "--admin", action="store_true", help="a site administrator: may see every job"
    )

    unlock = add(
        "unlock",
        cmd_unlock,
        "Let someone log in again now, after too many wrong passwords paused their logins.",
    )
    unlock.add_argument("email", help="the address they log in with")

    reset_two_step = add(
        "reset-two-step",
        cmd_reset_two_step,
        "Remove someone's two-step sign-in (app and backup codes) when they have lost both; "
        "check first that it is them asking.",
    )
    reset_two_step.add_argument("email", help="the address they log in with")

    migrate = add("migrate", cmd_migrate, "Create or update the database tables.")
    migrate.add_argument(
        "--verbosity",
        type=int,
        default=1,
        choices=[0, 1, 2, 3],
        help="how much to say (0: nothing, 3: everything)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cohub`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    _setup_django()
    from django.core.management.base import CommandError

    from cohub.apps.core.errors import ServiceError
    from cohub.pipeline.formats import TranscriptFormatError

    try:
        return args.handler(args)
    except CliError as exc:
        _error(str(exc))
        return exc.code
    except (ServiceError, TranscriptFormatError, CommandError) as exc:
        _error(str(exc))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
