"""The admin dashboard panel that tells Administrators about certificates
that need them: held outside an approval period, or failing to render."""

from wagtail.admin.ui.components import Component

from . import selectors


class CertificateAttentionPanel(Component):
    name = "certificate_attention"
    order = 90
    template_name = "certificates/admin/attention_panel.html"

    def __init__(self, *, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        if not selectors.user_is_certificate_admin(user=self.request.user):
            context["show"] = False
            return context
        counts = selectors.certificates_needing_attention()
        context.update({"show": any(counts.values()), **counts})
        return context
