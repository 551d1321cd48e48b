from django.urls import path

from . import views

app_name = "selfservice"
urlpatterns = [
    path("", views.my_account, name="account"),
    path("password/", views.change_password, name="password"),
    path("forwards/add/", views.add_forward, name="add_forward"),
    path("forwards/remove/", views.remove_forward, name="remove_forward"),
    path("vacation/", views.set_vacation, name="vacation"),
]
