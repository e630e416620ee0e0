from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and licenses"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_start_on_login

        user_logged_in.connect(session_start_on_login, dispatch_uid="accounts.session_start")

        from django.contrib.auth.models import Group
        from django.db.models.signals import pre_delete

        from .access_audit import group_deleted

        # Wagtail's group delete view has no hook: the audit log's seam is the signal.
        pre_delete.connect(group_deleted, sender=Group, dispatch_uid="accounts.group_deleted")
