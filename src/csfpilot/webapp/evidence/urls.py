from django.urls import path

from csfpilot.webapp.evidence import link_views, request_views, scan_views, views

app_name = "evidence"

E = "orgs/<slug:slug>/evidence"

urlpatterns = [
    path(f"{E}/", views.library, name="library"),
    path(f"{E}/new/", views.add, name="add"),
    path(f"{E}/new/file/", views.add_file, name="add_file"),
    path(f"{E}/new/link/", views.add_link, name="add_link"),
    path(f"{E}/new/attestation/", views.add_attestation, name="add_attestation"),
    path(f"{E}/due/", views.due, name="due"),
    path(f"{E}/outcomes/", link_views.outcomes, name="outcomes"),
    path(f"{E}/scans/", scan_views.scan_list, name="scans"),
    path(f"{E}/scans/import/", scan_views.scan_import, name="scan_import"),
    path(f"{E}/scans/<int:scan>/", scan_views.scan_page, name="scan"),
    path(f"{E}/<int:item>/", views.item_page, name="item"),
    path(f"{E}/<int:item>/edit/", views.item_edit, name="item_edit"),
    path(f"{E}/<int:item>/versions/new/", views.item_version, name="item_version"),
    path(f"{E}/<int:item>/versions/<int:number>/download/", views.download, name="download"),
    path(f"{E}/<int:item>/retire/", views.item_retire, name="item_retire"),
    path(f"{E}/<int:item>/remove/", views.item_remove, name="item_remove"),
    path(f"{E}/<int:item>/links/", link_views.item_link, name="item_link"),
    path(f"{E}/links/new/", link_views.link_new, name="link_new"),
    path(f"{E}/links/<int:link>/review/", link_views.link_review, name="link_review"),
    path(f"{E}/links/<int:link>/unlink/", link_views.link_remove, name="link_remove"),
    path(f"{E}/requests/", request_views.request_list, name="requests"),
    path(f"{E}/requests/new/", request_views.request_new, name="request_new"),
    path(f"{E}/requests/<int:req>/", request_views.request_page, name="request"),
    path(f"{E}/requests/<int:req>/submit/", request_views.request_submit, name="request_submit"),
    path(f"{E}/requests/<int:req>/decide/", request_views.request_decide, name="request_decide"),
]
