"""Writes for certificates, by topic:

- `issuing`: the certificates a completion earns, each under a number drawn by
  `certificate_create_numbered` (issuing and reissuing both number through it);
- `snapshot`: what a certificate freezes at issue (course facts, participant,
  provider, frozen images);
- `delivery`: render and store the PDF, email it, the sweep;
- `admin_actions`: manual issue, release, reissue, revoke, restore;
- `notices`: the clinician emailed about a revocation, reissue or restoration;
- `bulk`: bulk reissue jobs;
- `base`: reasons, the certificate's events and the audit rows beside them
  (`action_record`), how a task is sent (a refusal is cms.refusals.Refusal).

The public names are re-exported here, so callers write
`from certificates import services` and `services.certificate_reissue(...)`.
"""

from .admin_actions import (
    certificate_delivery_retry,
    certificate_issue_manual,
    certificate_reissue,
    certificate_release,
    certificate_restore,
    certificate_revoke,
)
from .base import MAX_REASON_LENGTH
from .bulk import (
    BULK_BATCH,
    bulk_job_enqueue,
    bulk_job_process,
    bulk_jobs_sweep,
    bulk_reissue_create,
)
from .delivery import (
    certificate_deliver,
    certificate_email_deliver,
    certificate_email_due,
    certificate_email_failed,
    certificate_email_send,
    certificate_email_started,
    certificate_enqueue_email,
    certificate_enqueue_render,
    certificate_pdf_render,
    certificate_pdf_store,
    certificate_pdf_store_to_email,
    certificate_render_failed,
    certificate_render_started,
    certificate_retry_note,
    certificates_give_up,
    certificates_sweep,
)
from .issuing import (
    certificate_create_numbered,
    certificates_issue,
    certificates_issue_for_completion,
)
from .notices import certificate_notice_enqueue, certificate_notice_send, notices_sweep
from .snapshot import (
    LOGO_SPEC,
    SIGNATURE_SPEC,
    certificate_snapshot_build,
    hours_text,
    verify_url,
)

__all__ = [
    "BULK_BATCH",
    "LOGO_SPEC",
    "MAX_REASON_LENGTH",
    "SIGNATURE_SPEC",
    "bulk_job_enqueue",
    "bulk_job_process",
    "bulk_jobs_sweep",
    "bulk_reissue_create",
    "certificate_create_numbered",
    "certificate_deliver",
    "certificate_delivery_retry",
    "certificate_email_deliver",
    "certificate_email_due",
    "certificate_email_failed",
    "certificate_email_send",
    "certificate_email_started",
    "certificate_enqueue_email",
    "certificate_enqueue_render",
    "certificate_issue_manual",
    "certificate_notice_enqueue",
    "certificate_notice_send",
    "certificate_pdf_render",
    "certificate_pdf_store",
    "certificate_pdf_store_to_email",
    "certificate_reissue",
    "certificate_release",
    "certificate_render_failed",
    "certificate_render_started",
    "certificate_restore",
    "certificate_retry_note",
    "certificate_revoke",
    "certificate_snapshot_build",
    "certificates_give_up",
    "certificates_issue",
    "certificates_issue_for_completion",
    "certificates_sweep",
    "hours_text",
    "notices_sweep",
    "verify_url",
]
