from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """REFI-QDA export and import, and spreadsheets of quotes and codes (ADR 0030)."""

    name = "cohub.apps.exchange"
    label = "exchange"

    def ready(self) -> None:
        from cohub.apps.exchange import rules  # noqa: F401
