from django.urls import path

from . import views

app_name = "domain_accounts"
urlpatterns = [
    path("add/", views.add_account, name="add"),
]
