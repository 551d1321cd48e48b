
app_name = "domain_accounts"
urlpatterns: list = []
