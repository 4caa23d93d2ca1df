"""Story pages: the list, adding stories (typed or imported) and deleting one.

A story is read and coded on its review sheet, which the analysis app owns;
links here go wherever ``stories.derived.story_page_url`` says, so this app
never names analysis' pages or relations.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories import services
from cohub.apps.stories.derived import (
    derived_counts,
    derived_counts_by_story,
    derived_things,
    story_page_url,
)
from cohub.apps.stories.forms.stories import StoryImportForm, StoryTextForm
from cohub.apps.stories.models import Story, Storyteller
from cohub.apps.stories.selectors import consents_for, stories_for, story_get, storytellers_for
from cohub.pipeline.formats import TranscriptFormatError

# ---------------------------------------------------------------------------
# Adding stories


def _active_storytellers(project: Project) -> QuerySet[Storyteller]:
    """Storytellers a new story can belong to: in this project and not withdrawn."""
    return storytellers_for(project).filter(withdrawn_at__isnull=True)


@project_view("stories.view_story")
def story_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    stories = list(stories_for(project))
    derived = derived_things(in_lists=True)
    counts = derived_counts_by_story((story.pk for story in stories), derived)
    # Each story says when its words are withheld, so nobody opens it expecting to read it.
    consents = consents_for(project) if stories else {}
    return render(
        request,
        "stories/story_list.html",
        {
            "project": project,
            "stories": [
                (
                    story,
                    [(thing, counts[story.pk][thing.key]) for thing in derived],
                    consents[story.storyteller_id].words,
                )
                for story in stories
            ],
            "derived": derived,
        },
    )


@project_view("stories.add_story")
def story_create(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Type or paste a story; ``Name: words`` lines say who is speaking."""
    storytellers = _active_storytellers(project)
    form = StoryTextForm(request.POST or None, storytellers=storytellers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            story = services.story_create_from_text(
                project=project,
                storyteller=data["storyteller"],
                actor=request.user,
                title=data["title"],
                text=data["text"],
                recorded_on=data["recorded_on"],
            )
        except (ServiceError, TranscriptFormatError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The story '{story.title}' has been added.")
            return HttpResponseRedirect(
                story_page_url(project_slug=project.slug, story_id=story.pk)
            )
    return render(
        request,
        "stories/story_create.html",
        {"project": project, "form": form, "has_storytellers": storytellers.exists()},
    )


@project_view("stories.add_story")
def story_import(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Import one or more transcript files; the page then says what happened to each."""
    storytellers = _active_storytellers(project)
    batch: services.BatchResult | None = None
    if request.method == "POST":
        form = StoryImportForm(request.POST, request.FILES, storytellers=storytellers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if services.import_runs_as_job(data["files"]):
                    job = services.stories_import_queue(
                        project=project,
                        actor=request.user,
                        files=data["files"],
                        storyteller=data["storyteller"],
                        title=data["title"],
                        recorded_on=data["recorded_on"],
                    )
                    messages.info(
                        request,
                        "These files are being imported in the background. This page shows "
                        "how far it has got; you can leave it and come back.",
                    )
                    return redirect("jobs:detail", job_id=job.pk)
                batch = services.stories_import_batch(
                    project=project,
                    actor=request.user,
                    files=data["files"],
                    storyteller=data["storyteller"],
                    title=data["title"],
                    recorded_on=data["recorded_on"],
                )
            except ServiceError as error:
                # Nothing could be tried (the form checks what it can first).
                form.add_error(None, str(error))
            else:
                form = StoryImportForm(
                    storytellers=storytellers, initial={"storyteller": data["storyteller"]}
                )
    else:
        form = StoryImportForm(storytellers=storytellers)
    return render(
        request,
        "stories/story_import.html",
        {
            "project": project,
            "form": form,
            "has_storytellers": storytellers.exists(),
            "results": batch.files if batch else (),
            "imported": batch.imported if batch else [],
            "failed": batch.failed if batch else [],
        },
    )


@project_view("stories.delete_story", load=("story_id", story_get))
def story_delete(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """Ask first; deleting removes the story, its transcript and its key quotes."""
    if request.method == "POST":
        title = story.title
        services.story_delete(story=story, actor=request.user)
        messages.success(request, f"The story '{title}' and its key quotes have been deleted.")
        return redirect("stories:story_list", project_slug=project.slug)
    return render(
        request,
        "stories/story_delete.html",
        {
            "project": project,
            "story": story,
            "derived": [count for count in derived_counts([story.pk]) if count.number],
        },
    )
