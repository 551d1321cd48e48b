from django.urls import path

from . import views

app_name = "aliases"
urlpatterns = [
    path("", views.list_valiases, name="list"),
    path("add/", views.add_valias, name="add"),
    path("<entry:address>/", views.valias_detail, name="detail"),
    path("<entry:address>/edit/", views.edit_valias, name="edit"),
    path("<entry:address>/enable/", views.enable_valias, name="enable"),
    path("<entry:address>/disable/", views.disable_valias, name="disable"),
    path("<entry:address>/remove/", views.remove_valias, name="remove"),
]
