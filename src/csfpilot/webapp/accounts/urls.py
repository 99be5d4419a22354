from django.urls import path

from csfpilot.webapp.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/tokens/", views.token_list, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
