"""The certificate step on the clinician's dashboard (courses.registry seam)."""

from django.db.models import JSONField

from cms.paths import id_path
from courses.registry import BatchStatement, Step, StepState, batch_read
from courses.selectors import batch_enrollment_ids, instances, json_text

from . import selectors
from .models import Certificate


class CertificateStepProvider:
    key = "certificate"
    order = 900  # after every requirement

    def steps_for(self, *, enrollments) -> dict[int, list[Step]]:
        by_enrollment = batch_read(
            "certificates.current",
            enrollments,
            lambda: selectors.certificates_by_enrollment(
                enrollment_ids=[e.pk for e in enrollments]
            ),
        )
        steps: dict[int, list[Step]] = {}
        for enrollment in enrollments:
            certificates = by_enrollment.get(enrollment.pk, [])
            steps[enrollment.pk] = [self._step(enrollment, certificates)]
        return steps

    def _step(self, enrollment, certificates) -> Step:
        status_url = id_path("certificates:enrollment_status", enrollment.pk)
        if not certificates:
            completed = _has_completion(enrollment)
            return Step(
                key=self.key,
                label="Certificate",
                done=False,
                required=False,
                available=completed,
                detail=(
                    "Being prepared — it appears here in a moment."
                    if completed
                    else "Issued when you complete every requirement."
                ),
                status_url=status_url if completed else "",
                count=0,
                state=StepState.PREPARING if completed else None,
            )
        states = [selectors.certificate_state(c) for c in certificates]
        ready = [c for c, s in zip(certificates, states, strict=True) if s == "ready"]
        detail = " ".join(
            f"{selectors.certificate_label(c)}: {selectors.certificate_message(c)}"
            for c in certificates
        )
        first_ready = ready[0] if ready else None
        # None ready and one at least still being rendered: the dashboard waits for it.
        preparing = not ready and "pending" in states
        return Step(
            key=self.key,
            label="Certificate" if len(certificates) == 1 else "Certificates",
            done=all(s == "ready" for s in states),
            required=False,
            available=True,
            detail=detail,
            url=selectors.certificate_urls(first_ready)["pdf"] if first_ready else "",
            action_label="Download certificate" if first_ready else "",
            status_url=status_url,
            count=len(certificates),
            state=StepState.PREPARING if preparing else None,
        )


def _has_completion(enrollment) -> bool:
    # dashboard_enrollments() select_related("completion"): no query here.
    try:
        return enrollment.completion is not None
    except type(enrollment).completion.RelatedObjectDoesNotExist:
        return False


_FIELDS = [f.attname for f in Certificate._meta.concrete_fields]


def _current(rows) -> dict[int, list[Certificate]]:
    """selectors.certificates_by_enrollment from (fields…, accreditor's short name) rows."""
    rows = sorted(rows, key=lambda r: (r[1] is None, r[1] or "", r[0].pk))
    found: dict[int, list[Certificate]] = {}
    for certificate, _ in rows:
        found.setdefault(certificate.enrollment_id, []).append(certificate)
    return found


# The current certificates as a part of the step providers' one statement (courses.selectors.batch).
CURRENT_CERTIFICATES = BatchStatement(
    name="certificates.current",
    query=lambda: (
        Certificate.objects.filter(enrollment_id__in=batch_enrollment_ids())
        .exclude(status=Certificate.Status.REISSUED)
        .values_list(
            *(
                json_text(f.name) if isinstance(f, JSONField) else f.attname
                for f in Certificate._meta.concrete_fields
            ),
            "accreditor__short_name",
        )
    ),
    parse=lambda rows, enrollments: _current(
        zip(
            instances(Certificate, _FIELDS, [row[:-1] for row in rows]),
            (row[-1] for row in rows),
            strict=True,
        )
    ),
)
