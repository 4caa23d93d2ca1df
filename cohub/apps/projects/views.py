"""Project pages: the list, the overview, editing, members and invitations.

Every page under ``/p/<project_slug>/`` goes through ``project_view``; the
writes go through ``cohub.apps.projects.services`` and their refusals are
shown to the person as they are written there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.accounts.models import Organisation, OrganisationRole, User
from cohub.apps.accounts.views import LOGIN_BACKEND
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import first_error
from cohub.apps.core.permissions import checks_permission
from cohub.apps.projects import services
from cohub.apps.projects.access import organisation_view, project_view
from cohub.apps.projects.forms import (
    InvitationForm,
    JoinForm,
    MemberRoleForm,
    ParticipationForm,
    ProjectCreateForm,
    ProjectForm,
)
from cohub.apps.projects.models import (
    Invitation,
    InvitationStatus,
    Project,
    ProjectMembership,
    ProjectRole,
)
from cohub.apps.projects.selectors import (
    invitation_get,
    invitations_open,
    project_members,
    projects_visible_to,
)
from cohub.apps.projects.summary import organisation_notices, project_counts, project_notices

ROLE_LABELS = dict(ProjectRole.choices)


def home(request: HttpRequest) -> HttpResponse:
    """Logged-in people go straight to their projects; everyone else gets a welcome.

    It lives here rather than in core, which sits under every app and so
    cannot know that projects exist.
    """
    if request.user.is_authenticated:
        return redirect("projects:list")
    return render(request, "projects/home.html")


def _posted(request: HttpRequest) -> QueryDict | None:
    """The POST data on a POST (even an empty one, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def _organisations_user_can_start_projects_in(user: Any) -> QuerySet[Organisation]:
    """Organisations where ``projects.add_project`` holds.

    The candidates are those the person administers or facilitates a project
    in; the rule then decides, so this list cannot offer more than it allows.
    """
    candidates = Organisation.objects.filter(
        Q(memberships__user=user, memberships__role=OrganisationRole.ADMIN)
        | Q(projects__memberships__user=user, projects__memberships__role=ProjectRole.FACILITATOR)
    ).distinct()
    allowed = [org.pk for org in candidates if user.has_perm("projects.add_project", org)]
    return Organisation.objects.filter(pk__in=allowed).order_by("name")


@dataclass
class ProjectCard:
    """A project on the list, with the roles the viewer holds in it."""

    project: Project
    viewer_roles: list[str]


@login_required
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The projects this person takes part in, with the roles they hold in each."""
    cards = _cards(request.user, list(projects_visible_to(request.user)))
    can_start = _organisations_user_can_start_projects_in(request.user).exists()
    return render(
        request, "projects/project_list.html", {"projects": cards, "can_start": can_start}
    )


def _cards(user: User, projects: list[Project]) -> list[ProjectCard]:
    """Each project with the roles ``user`` holds in it, an organisation admin's included."""
    roles: dict[int, list[str]] = {}
    for membership in ProjectMembership.objects.filter(
        user=user, project__in=[p.pk for p in projects]
    ).order_by("role"):
        roles.setdefault(membership.project_id, []).append(membership.get_role_display())
    admin_orgs = set(
        user.organisation_memberships.filter(role=OrganisationRole.ADMIN).values_list(
            "organisation_id", flat=True
        )
    )
    cards = []
    for project in projects:
        viewer_roles = roles.get(project.pk, [])
        if project.organisation_id in admin_orgs:
            viewer_roles.append(f"Admin of {project.organisation.name}")
        cards.append(ProjectCard(project, viewer_roles))
    return cards


@organisation_view("projects.view_organisation")
@require_GET
def organisation_detail(
    request: AuthenticatedHttpRequest, organisation: Organisation
) -> HttpResponse:
    """An organisation's own page: its projects this person sees, and what the apps add.

    Only its projects the viewer could open are listed (``projects_visible_to``),
    so belonging to one project does not reveal the names of the others.
    """
    projects = list(projects_visible_to(request.user).filter(organisation=organisation))
    return render(
        request,
        "projects/organisation_detail.html",
        {
            "organisation": organisation,
            "projects": _cards(request.user, projects),
            "notices": organisation_notices(organisation, request.user),
        },
    )


@checks_permission("projects.add_project")
@login_required
def project_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a project in an organisation that allows it; whoever starts it facilitates it."""
    organisations = _organisations_user_can_start_projects_in(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = ProjectCreateForm(_posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.user.has_perm("projects.add_project", data["organisation"]):
            raise PermissionDenied
        try:
            project = services.project_create(
                organisation=data["organisation"],
                name=data["name"],
                purpose=data["purpose"],
                opening_question=data["opening_question"],
                offer_and_control=data["offer_and_control"],
                sectors=data["sectors"],
                topics=data["topics"],
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Your project “{project.name}” is ready. You are its facilitator."
            )
            return redirect("projects:detail", project_slug=project.slug)
    return render(request, "projects/project_form.html", {"form": form, "creating": True})


def _overview_counts(project: Project) -> dict[str, object]:
    """Each app's count for the overview: a list to show, and a dict for the next steps."""
    rows = project_counts(project)
    return {"count_rows": rows, "counts": {key: number for key, _, number in rows}}


@project_view("projects.view_project")
def project_detail(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    roles = [
        ROLE_LABELS.get(role, role)
        for role in ProjectMembership.objects.filter(project=project, user=request.user)
        .order_by("role")
        .values_list("role", flat=True)
    ]
    if request.user.organisation_memberships.filter(
        organisation=project.organisation_id, role=OrganisationRole.ADMIN
    ).exists():
        roles.append(f"Admin of {project.organisation.name}")
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            **_overview_counts(project),
            "viewer_roles": roles,
            "notices": project_notices(project, request.user),
            "can_see_organisation": request.user.has_perm(
                "projects.view_organisation", project.organisation
            ),
        },
    )


@project_view("projects.change_project")
def project_edit(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = ProjectForm(_posted(request), initial=ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your changes to the project are saved.")
            return redirect("projects:detail", project_slug=project.slug)
    return render(
        request, "projects/project_form.html", {"form": form, "project": project, "creating": False}
    )


def _invitation_link(request: HttpRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(
        reverse("projects:invitation_accept", kwargs={"token": invitation.token})
    )


@dataclass
class OpenInvitation:
    """An invitation not yet used, with the link to send, its roles in words and its state."""

    invitation: Invitation
    link: str
    role_labels: list[str]
    expired: bool


@project_view("projects.view_project")
@require_GET
def member_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Everyone may see who takes part; facilitators and admins may also invite and remove."""
    return _render_members(request, project)


# What the person who invited someone is told, by what happened to the email.
_INVITE_MESSAGES = {
    services.Delivery.SENT: (
        messages.SUCCESS,
        "We have emailed the invitation to {email}. You can also copy the link below "
        "and send it another way.",
    ),
    services.Delivery.NOT_CONFIGURED: (
        messages.SUCCESS,
        "The invitation for {email} is ready. This hub does not send email, so copy "
        "the link below and send it to them yourself.",
    ),
    services.Delivery.FAILED: (
        messages.WARNING,
        "The invitation for {email} is ready, but we could not send the email. Copy "
        "the link below and send it to them yourself.",
    ),
}


@project_view("projects.manage_members")
@require_POST
def member_invite(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Make an invitation, email its link when this hub sends email, and show the link.

    Its own view (not a POST to the members page) so that the permission it
    needs is declared, and tested, rather than checked inline.
    """
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                project=project,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            delivery = services.invitation_send(
                invitation=invitation, link=_invitation_link(request, invitation)
            )
            level, text = _INVITE_MESSAGES[delivery]
            messages.add_message(request, level, text.format(email=invitation.email))
            url = reverse("projects:members", kwargs={"project_slug": project.slug})
            return redirect(f"{url}?invitation={invitation.pk}#new-invitation")
    return _render_members(request, project, form=form)


def _render_members(
    request: AuthenticatedHttpRequest, project: Project, *, form: InvitationForm | None = None
) -> HttpResponse:
    can_manage = request.user.has_perm("projects.manage_members", project)
    if can_manage and form is None:
        form = InvitationForm()
    invitations: list[OpenInvitation] = []
    new_invitation = None
    if can_manage:
        invitations = [
            OpenInvitation(
                invitation=invitation,
                link=_invitation_link(request, invitation),
                role_labels=[ROLE_LABELS.get(r, r) for r in invitation.roles],
                expired=invitation.status() == InvitationStatus.EXPIRED,
            )
            for invitation in invitations_open(project)
        ]
        wanted = request.GET.get("invitation", "")
        new_invitation = next((i for i in invitations if str(i.invitation.pk) == wanted), None)

    members = project_members(project)
    facilitators = sum(ProjectRole.FACILITATOR in member["roles"] for member in members)
    for member in members:
        member["role_pairs"] = list(zip(member["roles"], member["role_labels"], strict=True))
        # The last facilitator's role cannot go (the service refuses it), so no button offers it.
        member["removable"] = [
            (role, label)
            for role, label in member["role_pairs"]
            if role != ProjectRole.FACILITATOR or facilitators > 1
        ]
        member["last_facilitator"] = (
            ProjectRole.FACILITATOR in member["roles"] and facilitators == 1
        )
    return render(
        request,
        "projects/member_list.html",
        {
            "project": project,
            "members": members,
            "can_manage": can_manage,
            "form": form if can_manage else None,
            "invitations": invitations,
            "new_invitation": new_invitation,
            "email_enabled": settings.COHUB_EMAIL_ENABLED,
            "invitation_days": settings.COHUB_INVITATION_DAYS,
        },
    )


@project_view("projects.manage_members", load=("invitation_id", invitation_get))
def invitation_cancel(
    request: AuthenticatedHttpRequest, project: Project, invitation: Invitation
) -> HttpResponse:
    """Ask first (GET), then stop the link working (POST); the person opening it is told so."""
    members_url = reverse("projects:members", kwargs={"project_slug": project.slug})
    closed = invitation.status() in (InvitationStatus.ACCEPTED, InvitationStatus.CANCELLED)
    if closed and request.method != "POST":
        messages.info(request, f"The invitation for {invitation.email} is no longer open.")
        return redirect(members_url)
    if request.method == "POST":
        try:
            cancelled = services.invitation_cancel(invitation=invitation, actor=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            if cancelled:
                messages.success(
                    request,
                    f"The invitation for {invitation.email} is cancelled. "
                    "Its link no longer works.",
                )
            else:
                messages.info(
                    request, f"The invitation for {invitation.email} was already cancelled."
                )
        return redirect(members_url)
    return render(
        request,
        "projects/invitation_cancel.html",
        {"project": project, "invitation": invitation},
    )


def _member_remove_confirm(
    request: AuthenticatedHttpRequest, project: Project, member: Any
) -> HttpResponse:
    """Ask before a role goes: say what the person loses, and offer a way back.

    Without ``?role=``, someone who holds one role is asked about that one.
    """
    members_url = reverse("projects:members", kwargs={"project_slug": project.slug})
    held = list(
        ProjectMembership.objects.filter(project=project, user=member).values_list(
            "role", flat=True
        )
    )
    asked = request.GET if "role" in request.GET or len(held) != 1 else {"role": held[0]}
    form = MemberRoleForm(asked)
    if not form.is_valid():
        messages.error(request, "Choose which role to remove.")
        return redirect(members_url)
    role = form.cleaned_data["role"]
    if role not in held:
        messages.error(request, f"{member} is not a {ROLE_LABELS[role].lower()} in this project.")
        return redirect(members_url)
    last_facilitator = (
        role == ProjectRole.FACILITATOR
        and not ProjectMembership.objects.filter(project=project, role=ProjectRole.FACILITATOR)
        .exclude(user=member)
        .exists()
    )
    return render(
        request,
        "projects/member_remove.html",
        {
            "project": project,
            "member": member,
            "role": role,
            "label": ROLE_LABELS[role],
            "other_labels": [ROLE_LABELS[r] for r in held if r != role],
            "is_self": member.pk == request.user.pk,
            "last_facilitator": last_facilitator,
        },
    )


@project_view("projects.manage_members")
@require_http_methods(["GET", "POST"])
def member_remove(
    request: AuthenticatedHttpRequest, project: Project, user_id: int
) -> HttpResponse:
    """Ask first (GET ``?role=``), then take that one role away (POST ``role``).

    A page of its own rather than a script's confirm box, so it works for
    everyone, and nobody loses a role to one slip of the finger.
    """
    member = get_object_or_404(
        get_user_model().objects.filter(project_memberships__project=project).distinct(),
        pk=user_id,
    )
    if request.method != "POST":
        return _member_remove_confirm(request, project, member)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which role to remove.")
    else:
        try:
            removal = services.membership_remove(
                project=project, user=member, role=form.cleaned_data["role"], actor=request.user
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            label = ROLE_LABELS[removal.role].lower()
            gone = " and no longer takes part in the project" if removal.left_the_project else ""
            messages.success(request, f"{member} is no longer a {label} here{gone}.")
    # ``member`` is the object whose role cache the service cleared; request.user's is stale.
    viewer = member if member.pk == request.user.pk else request.user
    if not viewer.has_perm("projects.view_project", project):
        return redirect("projects:list")  # they removed their own last role
    return redirect("projects:members", project_slug=project.slug)


def _invitation_state(invitation: Invitation, user: Any) -> str:
    """Which page the invitation link shows this visitor; the template has one part for each.

    ``joined``/``used``: already accepted (by this person or someone else);
    ``cancelled``/``expired``: closed, with who to ask; ``accept``: logged in
    as the invited address; ``wrong_user``: logged in as someone else, told so
    before any button; ``log_in``: not logged in, and the address has an
    account; ``join``: not logged in, no account yet, so they make one here.
    """
    status = invitation.status()
    if status == InvitationStatus.ACCEPTED:
        joined = user.is_authenticated and invitation.accepted_by_id == user.pk
        return "joined" if joined else "used"
    if status in (InvitationStatus.CANCELLED, InvitationStatus.EXPIRED):
        return str(status)
    if user.is_authenticated:
        return "accept" if user.email.lower() == invitation.email.lower() else "wrong_user"
    if User.objects.filter(email__iexact=invitation.email).exists():
        return "log_in"
    return "join"


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: join with a new account, or log in and accept, landing in the project.

    Open to anyone: the unguessable token is the permission. What the
    services refuse (a used, cancelled or expired link, the wrong account,
    an address that got an account meanwhile) is shown on the same page.
    """
    invitation = get_object_or_404(
        Invitation.objects.select_related("project__organisation", "invited_by"), token=token
    )
    project = invitation.project
    form = None
    error = ""
    if request.method == "POST" and request.user.is_authenticated:
        try:
            services.invitation_accept(invitation=invitation, user=request.user)  # type: ignore[arg-type]
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Welcome to {project.name}.")
            return redirect("projects:detail", project_slug=project.slug)
    elif request.method == "POST":
        form = JoinForm(request.POST, email=invitation.email)
        if form.is_valid():
            try:
                joined = services.invitation_accept_new_account(
                    invitation=invitation,
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["new_password1"],
                )
            except ServiceError as exc:
                error = str(exc)
            else:
                login(request, joined.user, backend=LOGIN_BACKEND)
                messages.success(
                    request,
                    f"Welcome to {project.name}, {joined.user}. Your account is ready: "
                    f"next time, log in with {joined.user.email} and your password.",
                )
                return redirect("projects:detail", project_slug=project.slug)
        invitation.refresh_from_db()
    state = _invitation_state(invitation, request.user)
    if state == "join" and form is None:
        form = JoinForm(email=invitation.email)
    here = reverse("projects:invitation_accept", kwargs={"token": token})
    return render(
        request,
        "projects/invitation_accept.html",
        {
            "invitation": invitation,
            "project": project,
            "state": state,
            "form": form if state == "join" else None,
            "role_labels": [ROLE_LABELS.get(r, r) for r in invitation.roles],
            "closed_reason": services.closed_reason(invitation),
            "here": here,
            "log_in_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}",
            "project_log_in_url": f"{reverse('accounts:login')}?"
            + urlencode({"next": reverse("projects:detail", args=[project.slug])}),
            "error": error,
        },
        status=400 if error else 200,
    )


@project_view("projects.view_project")
@require_POST
def participation_set(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Someone says how they take part (lived experience, a job, facilitating), for themselves."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("projects:detail", kwargs={"project_slug": project.slug})
    form = ParticipationForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(back)
    try:
        services.participation_set(
            project=project, user=request.user, taking_part=form.cleaned_data["taking_part"]
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Thank you. The board will count your changes that way.")
    return redirect(back)
