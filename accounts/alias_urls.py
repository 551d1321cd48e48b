from django.urls import path

from . import views

app_name = "aliases"
urlpatterns = [
    path("", views.list_valiases, name="list"),
    path("add/", views.add_valias, name="add"),
    path("<str:address>/", views.valias_detail, name="detail"),
    path("<str:address>/edit/", views.edit_valias, name="edit"),
    path("<str:address>/enable/", views.enable_valias, name="enable"),
    path("<str:address>/disable/", views.disable_valias, name="disable"),
    path("<str:address>/remove/", views.remove_valias, name="remove"),
]
