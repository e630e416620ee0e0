"""The admin's image and document edit and delete views, saying why
`cms.media`'s rules refuse instead of Wagtail's generic "permission denied".
Mounted over Wagtail's own URLs by `cms.wagtail_hooks`."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from wagtail.documents.views import documents
from wagtail.images.views import images


class _RefusalMixin:
    """Before Wagtail's own checks: when only cms.media's rules stop this user,
    say why and send them back; nothing is changed or removed."""

    refused_action: str
    refusal_edit_url_name = ""

    def dispatch(self, request, *args, **kwargs):
        obj = getattr(self, "object", None) or get_object_or_404(
            self.model, pk=kwargs[self.pk_url_kwarg]
        )
        reason = self.permission_policy.refusal(request.user, self.refused_action, obj)
        if reason is None:
            return super().dispatch(request, *args, **kwargs)
        messages.error(request, reason)
        if (
            self.refused_action == "delete"
            and self.permission_policy.user_has_permission_for_instance(request.user, "change", obj)
        ):
            return redirect(self.refusal_edit_url_name, obj.pk)
        return redirect(reverse(self.index_url_name))


class ImageEditView(_RefusalMixin, images.EditView):
    refused_action = "change"


class ImageDeleteView(_RefusalMixin, images.DeleteView):
    refused_action = "delete"
    refusal_edit_url_name = "wagtailimages:edit"


class DocumentEditView(_RefusalMixin, documents.EditView):
    refused_action = "change"


class DocumentDeleteView(_RefusalMixin, documents.DeleteView):
    refused_action = "delete"
    refusal_edit_url_name = "wagtaildocs:edit"
