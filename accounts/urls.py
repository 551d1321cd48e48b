from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("<entry:address>/", views.account_detail, name="detail"),
    path("<entry:address>/edit/", views.edit_account, name="edit"),
    path("<entry:address>/enable/", views.enable_account, name="enable"),
    path("<entry:address>/disable/", views.disable_account, name="disable"),
    path("<entry:address>/password/", views.set_password, name="password"),
    path("<entry:address>/quota/", views.set_quota, name="quota"),
    path("<entry:address>/aliases/add/", views.add_alias, name="add_alias"),
    path("<entry:address>/aliases/remove/", views.remove_alias, name="remove_alias"),
    path("<entry:address>/forwards/add/", views.add_forward, name="add_forward"),
    path("<entry:address>/forwards/remove/", views.remove_forward, name="remove_forward"),
    path("<entry:address>/rename/", views.rename_account, name="rename"),
    path("<entry:address>/reset-two-factor/", views.reset_second_factor, name="reset_mfa"),
    path("<entry:address>/vacation/", views.set_vacation, name="vacation"),
    path("<entry:address>/remove/", views.remove_account, name="remove"),
]
