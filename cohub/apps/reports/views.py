"""The findings page and its CSV download; the clip playlist and its files; the report."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project, Sector
from cohub.apps.reports.findings import (
    LEVEL_CHOICES,
    WITHHELD,
    clean_filter,
    findings_narrow,
    project_findings,
)
from cohub.apps.reports.forms import ReportVersionForm
from cohub.apps.reports.jobs import PLAYLIST_ZIP, REPORT_PDF
from cohub.apps.reports.models import ReportVersion
from cohub.apps.reports.playlist import playlist_audio_name, playlist_zip_name, project_playlist
from cohub.apps.reports.render import report_context
from cohub.apps.reports.report import Kind, build_report
from cohub.apps.reports.selectors import report_version_get, report_versions
from cohub.apps.reports.services import (
    REPORT_FORMATS,
    audience_of,
    findings_export_csv,
    report_digest,
    report_export,
    report_for_file,
    report_pdf_name,
    report_version_create,
)
from cohub.apps.reports.services import report_version_delete as report_version_delete_service
from cohub.apps.stories.playback import ranged_response
from cohub.pipeline.clips import GAP_MS, OGG_OPUS, ClipError, safe_name


@project_view("reports.view_findings")
@require_GET
def findings(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Themes with their counts and quotes; consent decides which words and names show."""
    level, sector = clean_filter(
        level=request.GET.get("level", ""), sector=request.GET.get("sector", "")
    )
    result = findings_narrow(project_findings(project), level=level, sector=sector)
    return render(
        request,
        "reports/findings.html",
        {
            "project": project,
            "findings": result,
            "themes_with_quotes": sum(1 for t in result.themes if t.quote_count),
            "level": level,
            "sector": sector,
            "filtered": bool(level or sector),
            "level_choices": LEVEL_CHOICES,
            "sector_choices": Sector.choices,
            "sector_labels": dict(Sector.choices),
            "withheld_message": WITHHELD,
        },
    )


@project_view("reports.export_findings")
@require_GET
def findings_csv(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Every quote with its codes, one row per quote per theme, as a spreadsheet download."""
    text = findings_export_csv(project=project, actor=request.user)
    filename = f"{project.slug}-findings-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------
# The clip playlist (ADR 0020)


@project_view("reports.view_findings")
@require_GET
def playlist(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Every clip that may be played, one after another, with captions and chapters."""
    shown = project_playlist(project)
    return render(
        request,
        "reports/playlist.html",
        {"project": project, "playlist": shown, "gap_ms": GAP_MS},
    )


def _vtt(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/vtt; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; project_view passes it on


@project_view("reports.view_findings")
@require_GET
def playlist_captions(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """WebVTT captions of the playlist's clips, timed as they play one after another."""
    return _vtt(project_playlist(project).captions, "captions.vtt")


@project_view("reports.view_findings")
@require_GET
def playlist_chapters(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """WebVTT chapters, one per clip, named by who speaks and the story."""
    return _vtt(project_playlist(project).chapters, "chapters.vtt")


@project_view("reports.view_findings")
@require_safe
def playlist_audio(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The clips one after another as one sound file, joined the first time it is asked for."""
    shown = project_playlist(project)
    if not shown.entries:
        raise Http404("There are no clips that may be played.")
    try:
        name = playlist_audio_name(shown)
    except (ClipError, ServiceError) as error:
        return HttpResponse(
            f"The clips could not be joined: {error}",
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    return ranged_response(
        request,
        open_file=lambda: default_storage.open(name, "rb"),
        size=default_storage.size(name),
        content_type=OGG_OPUS,
    )


@project_view("reports.export_findings")
@require_POST
def playlist_download(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Start making the download (a job with progress); its page links to the file."""
    if not project_playlist(project).entries:
        messages.error(request, "There are no clips that may be played, so nothing to download.")
        return HttpResponseRedirect(reverse("reports:playlist", args=[project.slug]))
    job = job_enqueue(kind=PLAYLIST_ZIP, project_id=project.pk, created_by=request.user)
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))


@project_view("reports.export_findings")
@require_GET
def playlist_zip(request: AuthenticatedHttpRequest, project: Project, job_id: int) -> HttpResponse:
    """The finished download, only while its clips are still exactly the ones allowed."""
    job = get_object_or_404(
        Job, pk=job_id, project_id=project.pk, kind=PLAYLIST_ZIP, status=JobStatus.SUCCEEDED
    )
    digest = str((job.result or {}).get("digest", ""))
    name = playlist_zip_name(project, digest, job.pk)
    if digest != project_playlist(project).digest or not default_storage.exists(name):
        messages.error(
            request,
            "The clips have changed since that download was made (a quote, a nudge or "
            "someone's consent), so it is no longer offered. Make the download again.",
        )
        return HttpResponseRedirect(reverse("reports:playlist", args=[project.slug]))
    filename = f"{safe_name(project.slug, fallback='project')}-clips.zip"
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; project_view passes it on


# ---------------------------------------------------------------------------
# The findings report (docs/adr/0031)


def _kind(request: AuthenticatedHttpRequest) -> Kind:
    return Kind.parse(request.GET.get("kind"))


def _base_url(request: AuthenticatedHttpRequest) -> str:
    """The hub's own address, so a file's links lead back to it from anywhere."""
    return request.build_absolute_uri("/").rstrip("/")


def _report_page(
    request: AuthenticatedHttpRequest,
    project: Project,
    *,
    version: ReportVersion | None,
) -> HttpResponse:
    kind = _kind(request)
    report = build_report(
        project, kind=kind, audience=audience_of(version) if version is not None else None
    )
    links = request.user.has_perm("stories.view_story", project)
    return render(
        request,
        "reports/report.html",
        {
            "project": project,
            "version": version,
            "kinds": list(Kind),
            "versions": list(report_versions(project)) if version is None else [],
            **report_context(report, links=links),
        },
    )


def _download(
    request: AuthenticatedHttpRequest, project: Project, *, version: ReportVersion | None
) -> HttpResponse:
    fmt = request.GET.get("format", "pdf")
    if fmt not in REPORT_FORMATS:
        fmt = "pdf"
    made = report_export(
        project=project,
        actor=request.user,
        fmt=fmt,
        kind=_kind(request),
        version=version,
        base_url=_base_url(request),
    )
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@project_view("reports.view_findings")
@require_GET
def report(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The findings report: the full report, its two-page overview, or easy read (``?kind=``)."""
    return _report_page(request, project, version=None)


@project_view("reports.export_findings")
@require_GET
def report_download(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The report as a PDF (or ``?format=html``, one file), built as consent allows now."""
    return _download(request, project, version=None)


@project_view("reports.tailor_report")
@require_http_methods(["GET", "POST"])
def report_versions_page(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Saved versions for one audience each, and the form to save another."""
    form = ReportVersionForm(request.POST or None, project=project, auto_id="version_%s")
    if request.method == "POST" and form.is_valid():
        try:
            version = report_version_create(
                project=project,
                actor=request.user,
                title=form.cleaned_data["title"],
                for_you=form.cleaned_data["for_you"],
                themes=list(form.cleaned_data["themes"]),
                sectors=list(form.cleaned_data["sectors"]),
                approved_only=form.cleaned_data["approved_only"],
            )
        except ServiceError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, f"Saved the version “{version.title}”.")
            return HttpResponseRedirect(
                reverse("reports:report_version", args=[project.slug, version.pk])
            )
    return render(
        request,
        "reports/report_versions.html",
        {
            "project": project,
            "form": form,
            "versions": list(report_versions(project)),
            "sector_labels": dict(Sector.choices),
        },
        status=400 if form.errors else 200,
    )


@project_view("reports.view_findings", load=("report_version_id", report_version_get))
@require_GET
def report_version(
    request: AuthenticatedHttpRequest, project: Project, report_version: ReportVersion
) -> HttpResponse:
    """One saved version, built afresh as consent allows now."""
    return _report_page(request, project, version=report_version)


@project_view("reports.export_findings", load=("report_version_id", report_version_get))
@require_GET
def report_version_download(
    request: AuthenticatedHttpRequest, project: Project, report_version: ReportVersion
) -> HttpResponse:
    """One saved version as a PDF (or ``?format=html``)."""
    return _download(request, project, version=report_version)


@project_view("reports.tailor_report", load=("report_version_id", report_version_get))
@require_POST
def report_version_delete(
    request: AuthenticatedHttpRequest, project: Project, report_version: ReportVersion
) -> HttpResponse:
    """Remove a saved version (the findings stay as they are)."""
    report_version_delete_service(version=report_version, actor=request.user)
    messages.success(request, f"Removed the version “{report_version.title}”.")
    return HttpResponseRedirect(reverse("reports:report_versions", args=[project.slug]))


@project_view("reports.export_findings")
@require_POST
def report_pdf_start(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Start drawing the PDF (a job with progress: a big report takes a while); its page links it.

    ``kind`` and ``version`` come with the form; a version of another project is 404.
    """
    kind = Kind.parse(request.POST.get("kind"))
    version = None
    if request.POST.get("version"):
        try:
            version = report_version_get(project, int(request.POST["version"]))
        except ValueError:
            raise Http404("There is no such version.") from None
    job = job_enqueue(
        kind=REPORT_PDF,
        params={
            "kind": kind.value,
            "version": version.pk if version is not None else None,
            "base_url": _base_url(request),
        },
        project_id=project.pk,
        created_by=request.user,
    )
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))


@project_view("reports.export_findings")
@require_GET
def report_pdf_file(
    request: AuthenticatedHttpRequest, project: Project, job_id: int
) -> HttpResponse:
    """The finished PDF, only while the report would still be drawn the same."""
    job = get_object_or_404(
        Job, pk=job_id, project_id=project.pk, kind=REPORT_PDF, status=JobStatus.SUCCEEDED
    )
    params, result = job.params or {}, job.result or {}
    version = None
    if params.get("version") is not None:
        version = ReportVersion.objects.filter(project=project, pk=params["version"]).first()
        if version is None:
            raise Http404("That version of the report has been removed.")
    now = report_for_file(
        project,
        kind=Kind.parse(params.get("kind")),
        version=version,
        base_url=str(params.get("base_url", "")),
    )
    digest = str(result.get("digest", ""))
    name = report_pdf_name(project.pk, job.pk, digest)
    if digest != report_digest(now) or not default_storage.exists(name):
        messages.error(
            request,
            "The findings have changed since that PDF was drawn (a quote, a theme or "
            "someone's consent), so it is no longer offered. Make the PDF again.",
        )
        return HttpResponseRedirect(reverse("reports:report", args=[project.slug]))
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=str(result.get("filename") or "report.pdf"),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; project_view passes it on
