from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from . import search_views, views
from .converters import EntryConverter

register_converter(EntryConverter, "entry")  # before the includes below, which use it

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("domains/<entry:domain>/accounts/", include("accounts.domain_urls")),
    path("domains/<entry:domain>/self-service/", include("selfservice.policy_urls")),
    path("domains/", include("domains.urls")),
    path("accounts/", include("accounts.urls")),
    path("aliases/", include("aliases.urls")),
    path("people/", include("accounts.people_urls")),
    path("groups/", include("accounts.group_urls")),
    path("search/", search_views.search, name="search"),
    path("route/", search_views.route, name="route"),
    path("tokens/", include("api.token_urls")),
    path("api/v1/", include("api.urls")),
    path("audit/", include("mailadmin.audit_urls")),
    path("console-users/", include("mailadmin.role_urls")),
    path("two-factor/", include("mailadmin.mfa_urls")),
    path("me/", include("selfservice.urls")),
]
