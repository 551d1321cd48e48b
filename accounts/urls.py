from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("<str:address>/", views.account_detail, name="detail"),
    path("<str:address>/edit/", views.edit_account, name="edit"),
    path("<str:address>/enable/", views.enable_account, name="enable"),
    path("<str:address>/disable/", views.disable_account, name="disable"),
    path("<str:address>/password/", views.set_password, name="password"),
    path("<str:address>/quota/", views.set_quota, name="quota"),
    path("<str:address>/aliases/add/", views.add_alias, name="add_alias"),
    path("<str:address>/aliases/remove/", views.remove_alias, name="remove_alias"),
    path("<str:address>/forwards/add/", views.add_forward, name="add_forward"),
    path("<str:address>/forwards/remove/", views.remove_forward, name="remove_forward"),
    path("<str:address>/remove/", views.remove_account, name="remove"),
]
