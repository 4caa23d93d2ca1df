"""The peer reviewer's pages: outside any project's address, opened only by their link."""

from django.urls import path

from cohub.apps.assess import peer_views

app_name = "peer"

urlpatterns = [
    path("review/", peer_views.peer_start, name="start"),
    path("review/questions/<int:number>/", peer_views.peer_answer, name="answer"),
    path("review/check/", peer_views.peer_check, name="check"),
    path("review/leave/", peer_views.peer_leave, name="leave"),
    path("<str:peer_token>/", peer_views.peer_open, name="open"),
]
