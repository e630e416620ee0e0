from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"

    def ready(self):
        from django.urls import register_converter
        from wagtail.documents import get_document_model, get_document_model_string
        from wagtail.images import get_image_model
        from wagtail.permissions import register_permission_policy

        from . import workflow_mail
        from .ids import IdConverter
        from .media import MediaPermissionPolicy
        from .site_cache import site_cache_connect
        from .user_cache import user_cache_connect

        # <id:name> in every app's URLs: ids any database can look up (cms.ids).
        register_converter(IdConverter, "id")
        # Cached routes, footer and anonymous pages go stale on any content change.
        site_cache_connect()
        # A user's cached row goes stale when the user is saved or deleted.
        user_cache_connect()

        # exact_class: ours wins over the policy wagtail.images and wagtail.documents
        # register in their own ready(), which runs after this one (INSTALLED_APPS order).
        register_permission_policy(
            get_image_model(),
            MediaPermissionPolicy(
                get_image_model(),
                auth_model="wagtailimages.Image",
                owner_field_name="uploaded_by_user",
            ),
            exact_class=True,
        )
        register_permission_policy(
            get_document_model(),
            MediaPermissionPolicy(
                get_document_model_string(),
                auth_model="wagtaildocs.Document",
                owner_field_name="uploaded_by_user",
            ),
            exact_class=True,
        )

        # Workflow emails that pages reviewed with another page can keep quiet.
        workflow_mail.connect()
