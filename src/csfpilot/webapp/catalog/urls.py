from django.urls import path

from csfpilot.webapp.catalog import views

app_name = "catalog"
urlpatterns = [
    path("frameworks/<str:key>/", views.framework, name="framework"),
]
