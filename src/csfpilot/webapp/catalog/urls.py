from django.urls import path, re_path

from csfpilot.webapp.catalog import downloads, import_views, views

app_name = "catalog"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<str:key>/", views.framework, name="framework"),
    # An element's stable address has no trailing slash (ids hold dots and
    # parentheses: /frameworks/sp800-53r5/AC-2(1)); a stray slash redirects.
    re_path(r"^frameworks/(?P<key>[^/]+)/(?P<code>[^/]+)/?$", views.node, name="node"),
    path(
        "frameworks/<str:key>/export/<str:fmt>",
        downloads.framework_download,
        name="framework_download",
    ),
    path("crosswalks/", views.crosswalk_list, name="crosswalk_list"),
    path("crosswalks/<str:key>/", views.crosswalk, name="crosswalk"),
    path(
        "crosswalks/<str:key>/export/<str:fmt>",
        downloads.crosswalk_download,
        name="crosswalk_download",
    ),
    path("search", views.search, name="search"),
    path("instance/frameworks/import/", import_views.framework_import, name="framework_import"),
]
