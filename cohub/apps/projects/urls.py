from django.urls import path

from cohub.apps.projects import views
from cohub.apps.projects.twofactor import views as two_step

app_name = "projects"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_create, name="create"),
    # Two-step sign-in (docs/adr/0025): under the account's addresses, kept here because
    # who must use it is a project role.
    path("accounts/two-step/", two_step.two_step, name="two_step"),
    path("accounts/two-step/set-up/", two_step.two_step_set_up, name="two_step_set_up"),
    path("accounts/two-step/code/", two_step.two_step_code, name="two_step_code"),
    path(
        "accounts/two-step/backup-codes/",
        two_step.two_step_backup_codes,
        name="two_step_backup_codes",
    ),
    path("accounts/two-step/turn-off/", two_step.two_step_turn_off, name="two_step_turn_off"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("p/<slug:project_slug>/", views.project_detail, name="detail"),
    # An organisation's own page; its assessment pages are under it (ADR 0028).
    path("o/<slug:organisation_slug>/", views.organisation_detail, name="organisation"),
    path("p/<slug:project_slug>/edit/", views.project_edit, name="edit"),
    path("p/<slug:project_slug>/members/", views.member_list, name="members"),
    path("p/<slug:project_slug>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "p/<slug:project_slug>/taking-part/",
        views.participation_set,
        name="participation_set",
    ),
    path(
        "p/<slug:project_slug>/members/invitations/<int:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path(
        "p/<slug:project_slug>/members/<int:user_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]
