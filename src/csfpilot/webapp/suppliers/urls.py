from django.urls import path

from csfpilot.webapp.suppliers import guest_views, received_views, views

app_name = "suppliers"
S = "orgs/<slug:slug>/suppliers/"
Q = "orgs/<slug:slug>/questionnaires/<int:questionnaire_id>/"
G = "guest/q/<str:token>/"
R = "orgs/<slug:slug>/received-questionnaires/"
RQ = R + "<int:received_id>/"
urlpatterns = [
    path(S, views.supplier_list, name="list"),
    path(S + "new/", views.create, name="create"),
    path(S + "portfolio/", views.portfolio, name="portfolio"),
    path(S + "export.csv", views.export_csv, name="export_csv"),
    path(S + "<int:supplier_id>/", views.detail, name="detail"),
    path(S + "<int:supplier_id>/edit/", views.edit, name="edit"),
    path(S + "<int:supplier_id>/delete/", views.delete, name="delete"),
    path(S + "<int:supplier_id>/send/", views.send, name="send"),
    path(S + "<int:supplier_id>/remediation/", views.remediation, name="remediation"),
    path(
        S + "<int:supplier_id>/remediation/<int:remediation_id>/close/",
        views.remediation_close,
        name="remediation_close",
    ),
    path(Q, views.questionnaire, name="questionnaire"),
    path(Q + "close/", views.questionnaire_close, name="questionnaire_close"),
    path(Q + "links/", views.link_issue, name="link_issue"),
    path(Q + "workbook/", views.workbook, name="workbook"),
    path(Q + "workbook/import/", views.workbook_import, name="workbook_import"),
    path(Q + "links/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path(Q + "package/", received_views.questionnaire_package, name="questionnaire_package"),
    path(R, received_views.received_list, name="received_list"),
    path(RQ, received_views.received_detail, name="received"),
    path(RQ + "profile/", received_views.received_profile, name="received_profile"),
    path(RQ + "answers/", received_views.received_answers, name="received_answers"),
    path(RQ + "package/", received_views.received_package, name="received_package"),
    path(G, guest_views.page, name="guest"),
    path(G + "code/", guest_views.send_code, name="guest_code"),
    path(G + "verify/", guest_views.verify, name="guest_verify"),
    path(G + "answer/", guest_views.answer, name="guest_answer"),
    path(G + "submit/", guest_views.submit, name="guest_submit"),
]
