from django.urls import path

app_name = "domain_accounts"
urlpatterns: list = []
