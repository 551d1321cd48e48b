from django.urls import path

app_name = "aliases"
urlpatterns: list = []
