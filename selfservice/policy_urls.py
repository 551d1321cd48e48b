from django.urls import path

from . import views

app_name = "selfservice_policy"
urlpatterns = [
    path("", views.switch_self_service, name="switch"),
]
