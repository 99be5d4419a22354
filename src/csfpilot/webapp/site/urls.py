from django.urls import path

from csfpilot.webapp.site import health, views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
