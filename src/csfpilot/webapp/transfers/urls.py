from django.urls import path

from csfpilot.webapp.transfers import views

app_name = "transfers"

urlpatterns = [
    path("orgs/<slug:slug>/profiles/<int:pk>/transfer/", views.transfer, name="transfer"),
]
