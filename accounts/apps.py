from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and licenses"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_start_on_login

        user_logged_in.connect(session_start_on_login, dispatch_uid="accounts.session_start")
