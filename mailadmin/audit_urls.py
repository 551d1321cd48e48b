from django.urls import path

from . import audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.log, name="log"),
    path("<int:pk>/", audit_views.entry, name="entry"),
    path("export.csv", audit_views.export, name="export"),
]
