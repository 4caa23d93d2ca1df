"""Writes for reports: exports leave a line in the audit trail; saved report versions.

An export copies quotes out of cohub, where consent can no longer reach them,
so who exported what, and when, is worth recording. The report's PDF and
HTML file are exports too (``report_export``); a saved version
(``ReportVersion``) keeps only choices, and is built afresh each time.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import Theme
from cohub.apps.core import audit
from cohub.apps.core.csvsafe import to_csv
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project, Sector
from cohub.apps.reports.findings import findings_csv_rows, project_findings
from cohub.apps.reports.models import ReportVersion
from cohub.apps.reports.render import report_html_document, report_pdf
from cohub.apps.reports.report import Audience, Kind, Report, build_report
from cohub.apps.stories.ways_out import EXPORT


@transaction.atomic
def findings_export_csv(*, project: Project, actor: User | None) -> str:
    """The project's quotes and codes as spreadsheet-safe CSV text; records the export.

    ``actor`` is None for a system action (the command line without ``--as``).
    The entry names the stories whose words went out, by id (``core.audit``),
    and stands for the read too, so the page's own audit writes no second one.
    """
    with audit.reading() as reads:
        findings = project_findings(project, way=EXPORT)
    rows = findings_csv_rows(findings)
    record_event(
        actor=actor,
        verb="findings.export",
        target=project,
        project_id=project.pk,
        data={
            "format": "csv",
            "quotes": findings.quote_count,
            "rows": len(rows) - 1,
            **reads.as_data(),
        },
    )
    return to_csv(rows)


# ---------------------------------------------------------------------------
# The findings report (docs/adr/0031)


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    content_type: str
    filename: str


REPORT_FORMATS = ("html", "pdf")


def report_filename(
    project: Project, *, kind: Kind, fmt: str, version: ReportVersion | None
) -> str:
    """``<slug>-report[-<version>][-overview|-easy-read]-YYYY-MM-DD.<fmt>``, safe on any disk."""
    parts = [project.slug, "report"]
    if version is not None:
        parts.append(slugify(version.title)[:40] or f"version-{version.pk}")
    if kind != Kind.FULL:
        parts.append(kind.value)
    return f"{'-'.join(parts)}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def report_export(
    *,
    project: Project,
    actor: User | None,
    fmt: str,
    kind: Kind = Kind.FULL,
    version: ReportVersion | None = None,
    base_url: str = "",
    via: str = "web",
) -> ReportFile:
    """The report as a file that leaves the hub (PDF or HTML), with an entry in the audit trail.

    Built under the ``EXPORT`` way out, as the CSV is: only quotes whose
    storytellers agree today that we copy their words out. The entry names
    the stories whose words went out, by id, and stands for the read.
    """
    if fmt not in REPORT_FORMATS:
        raise ServiceError(f"A report is made as {' or '.join(REPORT_FORMATS)}, not {fmt!r}.")
    with audit.reading() as reads:
        report = build_report(
            project,
            kind=kind,
            audience=audience_of(version) if version is not None else None,
            way=EXPORT,
            base_url=base_url,
        )
        if fmt == "pdf":
            content = report_pdf(report)
            content_type = "application/pdf"
        else:
            content = report_html_document(report).encode("utf-8")
            content_type = "text/html; charset=utf-8"
    with transaction.atomic():
        record_event(
            actor=actor,
            verb="report.export",
            target=version or project,
            project_id=project.pk,
            data={
                "format": fmt,
                "kind": kind.value,
                "version": version.pk if version is not None else None,
                "quotes_shown": report.shown_count,
                "via": via,
                **reads.as_data(),
            },
        )
    return ReportFile(
        content=content,
        content_type=content_type,
        filename=report_filename(project, kind=kind, fmt=fmt, version=version),
    )


def audience_of(version: ReportVersion) -> Audience:
    """What a saved version keeps; a theme merged since counts as the theme it went into."""
    theme_ids: set[int] = set()
    for theme in version.themes.all():
        seen = set()
        current: Theme | None = theme
        while current is not None and current.merged_into_id is not None and current.pk not in seen:
            seen.add(current.pk)
            current = current.merged_into
        theme_ids.add((current or theme).pk)
    return Audience(
        title=version.title,
        for_you=version.for_you,
        theme_ids=frozenset(theme_ids) if theme_ids else None,
        sectors=frozenset(version.sectors) if version.sectors else None,
        approved_only=version.approved_only,
    )


@transaction.atomic
def report_version_create(
    *,
    project: Project,
    actor: User | None,
    title: str,
    for_you: str = "",
    themes: list[Theme] | None = None,
    sectors: list[str] | None = None,
    approved_only: bool = False,
) -> ReportVersion:
    """Save a version of the report for one audience; its title is unique in the project."""
    title = title.strip()
    if not title:
        raise ServiceError(
            "Give the version a title, for example “For the adult social care team”."
        )
    if ReportVersion.objects.filter(project=project, title__iexact=title).exists():
        raise ServiceError(f"There is already a version called “{title}”. Choose another title.")
    themes = list(themes or [])
    if any(theme.project_id != project.pk for theme in themes):
        raise ServiceError("Choose themes of this project only.")
    unknown = sorted(set(sectors or ()) - set(Sector.values))
    if unknown:
        raise ServiceError(f"There is no sector {unknown[0]!r}.")
    version = ReportVersion.objects.create(
        project=project,
        title=title,
        for_you=for_you.strip(),
        sectors=[s for s in Sector.values if s in set(sectors or ())],
        approved_only=approved_only,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    version.themes.set(themes)
    record_event(
        actor=actor,
        verb="report.version_create",
        target=version,
        project_id=project.pk,
        data={
            "themes": sorted(t.pk for t in themes),
            "sectors": version.sectors,
            "approved_only": approved_only,
        },
    )
    return version


@transaction.atomic
def report_version_delete(*, version: ReportVersion, actor: User | None) -> None:
    """Remove a saved version; the report it was built from stays as it is."""
    record_event(
        actor=actor,
        verb="report.version_delete",
        target=version,
        project_id=version.project_id,
        data={"themes": sorted(version.themes.values_list("pk", flat=True))},
    )
    version.delete()


# ---------------------------------------------------------------------------
# The report's PDF as a job: a big project's PDF takes WeasyPrint many seconds
# (bench/report.py), longer than a page should wait. The job keeps the file with
# the digest of what it drew; it is handed out only while the report would still
# be drawn the same (nobody narrowed their consent, no quote changed since).

PDF_FOLDER = "report-pdfs"


def report_pdf_name(project_id: int, job_id: int, digest: str) -> str:
    return f"{PDF_FOLDER}/{project_id}/report-{job_id}-{digest}.pdf"


def report_digest(report: Report) -> str:
    """What the report would draw now, as a digest (its HTML, which holds every word)."""
    return hashlib.sha256(report_html_document(report).encode("utf-8")).hexdigest()[:32]


def report_for_file(
    project: Project, *, kind: Kind, version: ReportVersion | None, base_url: str
) -> Report:
    """The report as a file leaving the hub gets it: ``EXPORT``, links to ``base_url``."""
    return build_report(
        project,
        kind=kind,
        audience=audience_of(version) if version is not None else None,
        way=EXPORT,
        base_url=base_url,
    )


def report_pdf_make(
    *,
    project: Project,
    actor: User | None,
    job_id: int,
    kind: Kind,
    version: ReportVersion | None,
    base_url: str,
    progress: Callable[[int, str], None],
) -> dict[str, object]:
    """Draw the PDF and keep it (the job's work); records the export like a download."""
    progress(10, "Reading the findings as consent allows now")
    with audit.reading() as reads:
        report = report_for_file(project, kind=kind, version=version, base_url=base_url)
        digest = report_digest(report)
        progress(30, "Drawing the PDF")
        content = report_pdf(report)
    name = report_pdf_name(project.pk, job_id, digest)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))
    with transaction.atomic():
        record_event(
            actor=actor,
            verb="report.export",
            target=version or project,
            project_id=project.pk,
            data={
                "format": "pdf",
                "kind": kind.value,
                "version": version.pk if version is not None else None,
                "quotes_shown": report.shown_count,
                "via": "job",
                **reads.as_data(),
            },
        )
    progress(100, "The PDF is ready")
    return {
        "digest": digest,
        "filename": report_filename(project, kind=kind, fmt="pdf", version=version),
        "bytes": len(content),
    }


def report_pdfs_purge(story_ids: list[int]) -> None:
    """Purger (``stories.purge``): every kept report PDF of the stories' projects.

    A PDF may hold a withdrawn person's words; the next one is drawn again from
    what consent allows then. Removed once the removal commits, as playlists are.
    """
    from cohub.apps.stories.models import Story
    from cohub.apps.stories.purge import files_delete_on_commit

    project_ids = set(Story.objects.filter(pk__in=story_ids).values_list("project_id", flat=True))
    names: list[str] = []
    for project_id in project_ids:
        with contextlib.suppress(FileNotFoundError, NotImplementedError):
            _, files = default_storage.listdir(f"{PDF_FOLDER}/{project_id}")
            names += [f"{PDF_FOLDER}/{project_id}/{name}" for name in files]
    files_delete_on_commit(names=names)
