from django.urls import path

from csfpilot.webapp.reports import views

app_name = "reports"

P = "orgs/<slug:slug>/profiles/<int:pk>/reports"

urlpatterns = [
    path(f"{P}/", views.reports_page, name="page"),
    path(f"{P}/<str:kind>.<str:fmt>", views.download, name="download"),
]
