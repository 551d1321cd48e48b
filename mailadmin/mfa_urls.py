from django.urls import path

from . import mfa_views

app_name = "mfa"
urlpatterns = [
    path("", mfa_views.status, name="status"),
    path("remove/", mfa_views.remove, name="remove"),
    path("verify/", mfa_views.verify, name="verify"),
    path("enrol/", mfa_views.enrol, name="enrol"),
]
