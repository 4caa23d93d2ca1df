from django.urls import path

from cohub.apps.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_create, name="create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("p/<slug:project_slug>/", views.project_detail, name="detail"),
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
