
app_name = "aliases"
urlpatterns: list = []
