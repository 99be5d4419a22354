from django.urls import path

from csfpilot.webapp.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
]
