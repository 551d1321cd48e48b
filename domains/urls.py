from django.urls import path

from . import views

app_name = "domains"
urlpatterns = [
    path("", views.list_domains, name="list"),
    path("add/", views.add_domain, name="add"),
    path("<entry:name>/", views.domain_detail, name="detail"),
    path("<entry:name>/edit/", views.edit_domain, name="edit"),
    path("<entry:name>/reset-quotas/", views.reset_quotas, name="reset_quotas"),
    path("<entry:name>/delete/", views.remove_domain, name="remove"),
]
