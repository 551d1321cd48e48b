from django.urls import path

from . import views

app_name = "groups"
urlpatterns = [
    path("", views.list_groups, name="list"),
    path("<entry:name>/", views.group_detail, name="detail"),
]
