from django.urls import path

from cohub.apps.exchange import views

app_name = "exchange"

urlpatterns = [
    path("exchange/project.qdpx", views.project_qdpx, name="project_qdpx"),
    path("exchange/codebook.qdc", views.project_qdc, name="project_qdc"),
    path("exchange/quotes.xlsx", views.quotes_xlsx, name="quotes_xlsx"),
    path("exchange/codes.csv", views.codes_csv, name="codes_csv"),
]
