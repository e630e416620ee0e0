from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from . import selectors
from .admin_views import CertificateViewSet
from .panels import CertificateAttentionPanel


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()


@hooks.register("construct_homepage_panels")
def add_certificate_attention_panel(request, panels):
    if selectors.user_is_certificate_admin(user=request.user):
        counts = selectors.certificates_needing_attention()
        if any(counts.values()):
            panels.append(CertificateAttentionPanel(**counts))


@hooks.register("insert_global_admin_css")
def certificate_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("certificates/admin.css"))
