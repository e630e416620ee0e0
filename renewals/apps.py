from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "renewals"
    verbose_name = "License renewals"

    def ready(self):
        from . import receivers

        receivers.connect()
