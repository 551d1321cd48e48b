from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.list_people, name="list"),
    path("<entry:uid>/enable/", views.enable_mail, name="enable"),
]
