"""The admin dashboard panel that tells Administrators about certificates
that need them: held outside an approval period, or failing to render."""

from cms.admin_panels import DashboardPanel


class CertificateAttentionPanel(DashboardPanel):
    """Shown to Administrators when a count is not zero (context: the counts of
    selectors.certificates_needing_attention)."""

    name = "certificate_attention"
    order = 90
    template_name = "certificates/admin/attention_panel.html"
