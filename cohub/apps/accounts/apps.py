from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cohub.apps.accounts"
    label = "accounts"
