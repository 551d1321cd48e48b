from django.urls import path

from . import role_views

app_name = "roles"
urlpatterns = [
    path("", role_views.list_users, name="list"),
    path("grant/", role_views.grant, name="grant"),
    path("revoke/", role_views.revoke, name="revoke"),
    path("<str:username>/", role_views.user_detail, name="detail"),
    path("<str:username>/reset-two-factor/", role_views.reset_mfa, name="reset_mfa"),
]
