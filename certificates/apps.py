import logging

from django.apps import AppConfig

from . import rendering  # imports no model (Typst itself is loaded on first use)


def _warm_up_renderer(**kwargs):
    # Scan fonts and read templates once per worker process, not on its first task.
    # A failure here must not kill the pool process: the first render reports it.
    try:
        rendering.warm_up()
    except Exception:
        logging.getLogger(__name__).exception("Could not warm up the certificate renderer")


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        from celery.signals import worker_process_init
        from django.core import checks

        from accounts.registry import register_kept_licenses
        from cms.media import register_media_hold
        from courses.registry import register_batch_statement, register_step_provider
        from courses.signals import course_completed

        from . import receivers, selectors, steps
        from .checks import credential_signing_key_check

        checks.register(credential_signing_key_check)

        course_completed.connect(
            receivers.on_course_completed, dispatch_uid="certificates.on_course_completed"
        )
        register_step_provider(steps.CertificateStepProvider())
        register_batch_statement(steps.CURRENT_CERTIFICATES)
        register_media_hold(selectors.frozen_image_holds)
        register_kept_licenses(selectors.licenses_frozen_on_certificates)
        worker_process_init.connect(_warm_up_renderer, weak=False)
