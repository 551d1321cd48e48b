from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "selfservice"
