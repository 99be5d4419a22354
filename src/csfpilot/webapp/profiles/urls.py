from django.urls import path

from csfpilot.webapp.profiles import (
    dashboard_views,
    exchange_views,
    history_views,
    plan_views,
    questionnaire,
    release_views,
    views,
)

app_name = "profiles"

P = "orgs/<slug:slug>/profiles/<int:pk>"

urlpatterns = [
    path("profiles/", views.my_profiles, name="mine"),
    path("orgs/<slug:slug>/profiles/", views.profile_list, name="list"),
    path("orgs/<slug:slug>/profiles/new/", views.profile_create, name="create"),
    path("orgs/<slug:slug>/profiles/import/", history_views.profile_import, name="import"),
    path(
        "orgs/<slug:slug>/profiles/import-exchange/",
        exchange_views.exchange_new,
        name="exchange_new",
    ),
    path(f"{P}/", views.profile_overview, name="overview"),
    path(f"{P}/export/", views.profile_export, name="export"),
    path(f"{P}/exchange/import/", exchange_views.exchange_import, name="exchange_import"),
    path(f"{P}/exchange/<str:fmt>/", exchange_views.exchange_export, name="exchange_export"),
    path(f"{P}/settings/", views.profile_settings, name="settings"),
    path(f"{P}/delete/", views.profile_delete, name="delete"),
    path(f"{P}/move-release/", release_views.move_release, name="move_release"),
    path(f"{P}/assess/", questionnaire.assess, name="assess"),
    path(f"{P}/assess/<str:code>/", questionnaire.assess_save, name="assess_save"),
    path(f"{P}/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(f"{P}/outcomes/<str:code>/", views.outcome_page, name="outcome"),
    path(f"{P}/tiers/", views.tiers, name="tiers"),
    path(f"{P}/plan/", plan_views.plan, name="plan"),
    path(f"{P}/plan/generate/", plan_views.plan_generate, name="plan_generate"),
    path(f"{P}/plan/add/", plan_views.action_add, name="action_add"),
    path(f"{P}/plan/<str:code>/", plan_views.action_row, name="action_row"),
    path(f"{P}/plan/<str:code>/edit/", plan_views.action_edit, name="action_edit"),
    path(f"{P}/plan/<str:code>/delete/", plan_views.action_delete, name="action_delete"),
    path(f"{P}/history/", history_views.history, name="history"),
    path(f"{P}/compare/", history_views.compare, name="compare"),
    path(
        f"{P}/snapshots/<int:snapshot>/export/",
        history_views.snapshot_export,
        name="snapshot_export",
    ),
    path(f"{P}/derive/", history_views.derive, name="derive"),
]
