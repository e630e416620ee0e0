from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from cms.admin_menu import MenuItemFor

from . import access_audit, admin_views, selectors, user_admin_views
from .models import User
from .services import MFA_RESET_ACTION


@hooks.register("register_admin_urls")
def register_mfa_urls():
    urls = (admin_views.urlpatterns(), admin_views.NAMESPACE)
    return [path("two-factor/", include(urls, namespace=admin_views.NAMESPACE))]


@hooks.register("register_settings_menu_item")
def register_mfa_menu_item():
    return MenuItemFor(
        "Two-factor authentication",
        reverse(f"{admin_views.NAMESPACE}:index"),
        shown_to=lambda user: selectors.user_may_reset_mfa(actor=user),
        icon_name="key",
        order=610,
    )


@hooks.register("register_log_actions")
def register_mfa_log_actions(actions):
    @actions.register_action(MFA_RESET_ACTION)
    class MFAResetFormatter(LogFormatter):
        label = "Reset two-factor authentication"

        def format_message(self, log_entry):
            return f"Reset two-factor authentication: {log_entry.data.get('reason', '')}"


@hooks.register("register_account_settings_panel")
def register_sign_in_panel(request, user, profile):
    return admin_views.SignInSettingsPanel(request, user, profile)


# --- Deleting people (accounts.user_admin_views) -------------------------------------------


@hooks.register("before_delete_user")
def explain_accounts_that_records_keep(request, user):
    return user_admin_views.user_delete_refusal(request, user)


@hooks.register("register_admin_urls")
def register_user_deactivate_url():
    return user_admin_views.urlpatterns()


# --- The audit log: changes to who may do what (accounts.access_audit) ----------------------


hooks.register("before_edit_user", access_audit.user_edit_started)
hooks.register("after_edit_user", access_audit.user_edit_finished)
hooks.register("after_create_user", access_audit.user_created)
hooks.register("before_delete_user", access_audit.user_edit_started)
hooks.register("after_delete_user", access_audit.user_deleted)


@hooks.register("before_bulk_action")
def audit_users_bulk_started(request, action_type, objects, action_class_instance):
    if action_class_instance.model is User:
        access_audit.users_bulk_started(request, objects)


@hooks.register("after_bulk_action")
def audit_users_bulk_finished(request, action_type, objects, action_class_instance):
    if action_class_instance.model is User:
        access_audit.users_bulk_finished(request, action_type, objects)


# Last of the group views' permission panels, so that it saves after the others.
@hooks.register("register_group_permission_panel", order=1000)
def register_group_audit_panel():
    return access_audit.GroupAuditPanel
