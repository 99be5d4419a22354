from django.urls import path

from csfpilot.webapp.sectors import exchange_views, views

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

# Between instances: a member's signed contribution and the aggregate it imports; the
# sector body's member key list, the contributions it receives and the aggregate it signs.
urlpatterns += [
    path(
        "orgs/<slug:slug>/benchmark/contribution/",
        exchange_views.contribution,
        name="contribution",
    ),
    path(
        "orgs/<slug:slug>/benchmark/contribution/download/",
        exchange_views.contribution_download,
        name="contribution_download",
    ),
    path(
        "orgs/<slug:slug>/benchmark/aggregate/",
        exchange_views.import_aggregate,
        name="import_aggregate",
    ),
    path("sectors/<slug:sector>/exchange/", exchange_views.sector_exchange, name="exchange"),
    path(
        "sectors/<slug:sector>/exchange/keys/",
        exchange_views.member_key_add,
        name="member_key_add",
    ),
    path(
        "sectors/<slug:sector>/exchange/keys/<slug:fingerprint>/remove/",
        exchange_views.member_key_remove,
        name="member_key_remove",
    ),
    path(
        "sectors/<slug:sector>/exchange/contributions/",
        exchange_views.contributions_upload,
        name="contributions_upload",
    ),
    path("sectors/<slug:sector>/exchange/aggregate/", exchange_views.publish, name="publish"),
]
