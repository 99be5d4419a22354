from django.urls import path

from csfpilot.webapp.organizations import views

app_name = "organizations"
urlpatterns = [
    path("orgs/", views.organization_list, name="list"),
    path("orgs/new/", views.organization_create, name="create"),
    path("orgs/<slug:slug>/", views.organization_home, name="home"),
    path("orgs/<slug:slug>/members/", views.member_list, name="members"),
    path("orgs/<slug:slug>/members/add/", views.member_add, name="member_add"),
    path("orgs/<slug:slug>/members/<int:member_id>/role/", views.member_role, name="member_role"),
    path(
        "orgs/<slug:slug>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "orgs/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("orgs/<slug:slug>/settings/", views.organization_settings, name="settings"),
]
