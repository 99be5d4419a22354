from django.urls import path

from csfpilot.webapp.packages import views

app_name = "packages"
urlpatterns = [
    path("orgs/<slug:slug>/keys/", views.keys, name="keys"),
    path("orgs/<slug:slug>/keys/rotate/", views.rotate, name="rotate"),
    path("orgs/<slug:slug>/keys/revoke/", views.revoke, name="revoke"),
    path("orgs/<slug:slug>/keys/trust/", views.trust, name="trust"),
    path("orgs/<slug:slug>/keys/untrust/", views.untrust, name="untrust"),
    path("orgs/<slug:slug>/packages/import/", views.import_package, name="import"),
    path("orgs/<slug:slug>/profiles/<int:pk>/package/", views.export, name="export"),
    path("orgs/<slug:slug>/profiles/<int:pk>/package/download/", views.download, name="download"),
]
