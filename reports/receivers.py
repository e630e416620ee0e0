"""The reports app's one receiver: a completion's frozen participant facts get
the accreditors the participant claimed (their attestation), in the completion's
transaction. courses freezes the rest (courses.services.participant_facts) but
does not know attestations exist."""

from courses.models import CourseCompletion
from quizzes.models import Attestation


def completion_claims_freeze(sender, completion: CourseCompletion, **kwargs) -> None:
    attestation = Attestation.objects.filter(enrollment_id=completion.enrollment_id).first()
    claimed = (
        sorted(attestation.accreditors.values_list("short_name", flat=True)) if attestation else []
    )
    CourseCompletion.objects.filter(pk=completion.pk).update(
        participant={**completion.participant, "accreditors": claimed}
    )
    completion.participant = {**completion.participant, "accreditors": claimed}
