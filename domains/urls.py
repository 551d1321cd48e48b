from django.urls import path

from . import views

app_name = "domains"
urlpatterns = [
    path("", views.list_domains, name="list"),
]
