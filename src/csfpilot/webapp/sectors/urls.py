from django.urls import path

from csfpilot.webapp.sectors import views

app_name = "sectors"
urlpatterns = [
    path("orgs/<slug:slug>/benchmark/", views.benchmark, name="benchmark"),
    path("orgs/<slug:slug>/benchmark/sector/", views.set_sector, name="set_sector"),
    path("orgs/<slug:slug>/benchmark/profile/", views.set_profile, name="set_profile"),
    path("orgs/<slug:slug>/benchmark/recompute/", views.recompute, name="recompute"),
    path("sectors/", views.stewardship_home, name="stewardship"),
    path("sectors/<slug:sector>/members/", views.sector_members, name="members"),
    path(
        "sectors/<slug:sector>/members/<slug:slug>/approve/",
        views.approve_member,
        name="approve",
    ),
    path(
        "sectors/<slug:sector>/members/<slug:slug>/revoke/",
        views.revoke_member,
        name="revoke",
    ),
]
