"""The evaluation and the attestation with its credit claim."""

import pytest
from django.urls import reverse

from cms.refusals import Refusal, refusal_status
from courses.models import CourseCompletion
from quizzes.models import Attestation, Evaluation, EvaluationRating
from quizzes.selectors import claimed_accreditors
from quizzes.services import attestation_submit
from tests.factories import (
    AccreditorFactory,
    LicenseFactory,
    attempt_pass,
    evaluation_submit_default,
    page_words,
)
from tests.quizzes.conftest import aswb_ace

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(enrollment_for):
    """An enrollment that passed the post-test, in a course offered under APA and ASWB,
    for a clinician with a psychologist's license."""
    apa = AccreditorFactory()
    aswb = aswb_ace()
    enrollment = enrollment_for(accreditors=[apa, aswb])
    LicenseFactory(user=enrollment.user, profession="psychologist")
    attempt_pass(enrollment=enrollment)
    return enrollment


def nothing_saved():
    return not (Evaluation.objects.exists() or Attestation.objects.exists())


def valid_form(enrollment, **overrides):
    data = {
        "objective_1": "5",
        "objective_2": "4",
        "objective_3": "3",
        "instructor_1": "4",
        "relevance": "5",
        "content_quality": "4",
        "hours_accurate": "accurate",
        "bias_noticed": "no",
        "bias_details": "",
        "comments": "Clear and useful.",
        "attest": "on",
        "claim": [str(a.pk) for a in claimed_candidates(enrollment, matching=True)],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def claimed_candidates(enrollment, *, matching):
    from quizzes.selectors import claim_options

    return [
        o.accreditor
        for o in claim_options(enrollment=enrollment)
        if o.matches_license or not matching
    ]


def url(enrollment):
    return reverse("quizzes:evaluation", args=[enrollment.course_id])


# --- Services -------------------------------------------------------------------------------


def test_the_evaluation_is_required_before_completion(passed):
    assert not CourseCompletion.objects.filter(enrollment=passed).exists()
    evaluation_submit_default(enrollment=passed)
    assert not CourseCompletion.objects.filter(enrollment=passed).exists()
    attestation_submit(enrollment=passed, confirmed=True, accreditors=[])
    assert CourseCompletion.objects.filter(enrollment=passed).exists()


def test_the_evaluation_opens_only_after_passing(enrollment_for):
    enrollment = enrollment_for()
    with pytest.raises(Refusal, match="once you pass"):
        evaluation_submit_default(enrollment=enrollment)
    assert nothing_saved()


def test_one_evaluation_per_enrollment(passed):
    evaluation_submit_default(enrollment=passed)
    with pytest.raises(Refusal, match="already evaluated"):
        evaluation_submit_default(enrollment=passed, rating=1)
    assert Evaluation.objects.count() == 1
    assert set(EvaluationRating.objects.values_list("rating", flat=True)) == {4}


def test_every_objective_and_instructor_must_be_rated(passed):
    with pytest.raises(Refusal, match="Rate each objective"):
        evaluation_submit_default(enrollment=passed, objective_ratings={1: 4, 2: 4})
    with pytest.raises(Refusal, match="Rate each objective"):
        evaluation_submit_default(enrollment=passed, objective_ratings={1: 4, 2: 4, 3: 4, 9: 4})
    with pytest.raises(Refusal, match="from 1 to 5"):
        evaluation_submit_default(enrollment=passed, relevance=7)
    assert nothing_saved()


def test_ratings_keep_the_text_that_was_rated(passed):
    evaluation_submit_default(enrollment=passed)
    labels = list(
        EvaluationRating.objects.filter(kind="objective")
        .order_by("position")
        .values_list("label", flat=True)
    )
    assert labels == [o.text for o in passed.course.objectives.all()]


def test_the_attestation_needs_the_evaluation_and_a_confirmation(passed):
    with pytest.raises(Refusal, match="evaluation before the attestation"):
        attestation_submit(enrollment=passed, confirmed=True, accreditors=[])
    evaluation_submit_default(enrollment=passed)
    with pytest.raises(Refusal, match="Confirm"):
        attestation_submit(enrollment=passed, confirmed=False, accreditors=[])
    assert not Attestation.objects.exists()


def test_credit_can_be_claimed_only_under_the_course_accreditors(passed):
    evaluation_submit_default(enrollment=passed)
    stranger = AccreditorFactory(short_name="CA BBS", name="California BBS", professions=["mft"])
    with pytest.raises(Refusal, match="this course's accreditors"):
        attestation_submit(enrollment=passed, confirmed=True, accreditors=[stranger])
    assert not Attestation.objects.exists()


def test_credit_is_claimed_only_under_accreditors_matching_a_license(passed):
    """Issue 5: a participant with no matching license gets a certificate of attendance."""
    evaluation_submit_default(enrollment=passed)
    apa, aswb = claimed_candidates(passed, matching=False)
    with pytest.raises(Refusal, match="ASWB ACE credit is for the professions") as refused:
        attestation_submit(enrollment=passed, confirmed=True, accreditors=[apa, aswb])
    assert refusal_status(refused.value) == 400
    assert not Attestation.objects.exists()
    assert not CourseCompletion.objects.filter(enrollment=passed).exists()


def test_claimed_accreditors_are_stored_and_read_back(passed):
    evaluation_submit_default(enrollment=passed)
    LicenseFactory(user=passed.user, profession="social_worker")  # now both match
    apa, aswb = claimed_candidates(passed, matching=True)
    attestation_submit(enrollment=passed, confirmed=True, accreditors=[aswb, apa])
    assert claimed_accreditors(enrollment=passed) == [apa, aswb]
    assert Attestation.objects.get().attested_at is not None


def test_no_attestation_means_no_claim(passed):
    assert claimed_accreditors(enrollment=passed) == []


# --- HTTP -----------------------------------------------------------------------------------


def test_the_form_prechecks_accreditors_matching_the_licenses(client, passed):
    client.force_login(passed.user)
    html = client.get(url(passed)).content.decode()
    apa, aswb = claimed_candidates(passed, matching=False)
    assert f'value="{apa.pk}" id="id_claim_0" checked' in html
    # Not claimable without a social worker's license: shown, disabled, with the reason.
    assert f'value="{aswb.pk}" id="id_claim_1" disabled aria-describedby="id_claim_1-why">' in html
    assert 'id="id_claim_1-why">— not available: none of the licenses' in html
    assert "certificate of attendance" in html
    assert "Claim credit under:" in html
    # Labels are tied to every input.
    import re

    for input_id in re.findall(r'<input type="(?:radio|checkbox)"[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html


def test_a_valid_post_records_both_and_completes(client, passed):
    client.force_login(passed.user)
    response = client.post(url(passed), valid_form(passed))
    assert response.status_code == 302
    assert Evaluation.objects.get().comments == "Clear and useful."
    assert [a.short_name for a in claimed_accreditors(enrollment=passed)] == ["APA"]
    assert CourseCompletion.objects.filter(enrollment=passed).exists()
    page = client.get(url(passed)).content.decode()
    assert "Credit claimed under" in page


def test_a_forged_claim_under_a_non_matching_accreditor_is_refused_with_the_form(client, passed):
    client.force_login(passed.user)
    _, aswb = claimed_candidates(passed, matching=False)
    response = client.post(url(passed), valid_form(passed, claim=[str(aswb.pk)]))
    assert response.status_code == 400
    assert "ASWB ACE credit is for the professions that accreditor serves" in (
        response.content.decode()
    )
    assert nothing_saved()


def test_the_evaluation_page_is_closed_before_passing(client, enrollment_for):
    enrollment = enrollment_for()
    client.force_login(enrollment.user)
    response = client.get(url(enrollment))
    assert response.status_code == 403
    assert "once you pass" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"objective_2": None}, "Choose a rating."),
        ({"relevance": "9"}, "Choose a rating."),
        ({"instructor_1": "abc"}, "Choose a rating."),
        ({"hours_accurate": "forever"}, "Choose one."),
        ({"bias_noticed": None}, "Choose yes or no."),
        ({"attest": None}, "Confirm that you completed this course yourself."),
        ({"claim": ["999999"]}, "this course&#x27;s accreditors"),
        ({"claim": ["not-a-number"]}, "this course&#x27;s accreditors"),
        ({"comments": "x" * 5001}, "at most 5000 characters"),
        ({"bias_details": "y" * 2001}, "at most 2000 characters"),
    ],
)
def test_malformed_evaluations_are_refused_and_nothing_is_saved(client, passed, overrides, message):
    client.force_login(passed.user)
    response = client.post(url(passed), valid_form(passed, **overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'role="alert"' in html
    assert nothing_saved()
    assert not CourseCompletion.objects.exists()


def test_an_accreditor_of_another_course_is_refused(client, passed):
    stranger = AccreditorFactory(short_name="CA BBS", name="California BBS", professions=["mft"])
    client.force_login(passed.user)
    response = client.post(url(passed), valid_form(passed, claim=[str(stranger.pk)]))
    assert response.status_code == 400
    assert nothing_saved()


def test_a_huge_evaluation_post_is_refused(client, passed, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client.force_login(passed.user)
    response = client.post(url(passed), valid_form(passed, comments="z" * 60_000))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert nothing_saved()


def test_a_second_post_is_refused(client, passed):
    client.force_login(passed.user)
    client.post(url(passed), valid_form(passed))
    response = client.post(url(passed), valid_form(passed, comments="again"))
    assert response.status_code == 409
    assert Evaluation.objects.get().comments == "Clear and useful."


def test_an_unknown_course_is_not_found(client, passed):
    client.force_login(passed.user)
    response = client.get(reverse("quizzes:evaluation", args=[987654]))
    assert response.status_code == 404
    assert "no such course" in response.content.decode()


def test_someone_not_enrolled_is_refused(client, passed):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.post(url(passed), valid_form(passed))
    assert response.status_code == 403
    assert nothing_saved()


def test_the_attestation_page_says_the_certificate_also_waits_for_reading_time(
    client, enrollment_for
):
    """A clinician who attests before reaching the minimum active time is told
    so first, and again after submitting; nothing pretends the course is done."""
    board = AccreditorFactory(
        short_name="BOARD", seat_time_policy="enforce", minimum_time_percent=80
    )
    enrollment = enrollment_for(accreditors=[board])
    LicenseFactory(user=enrollment.user, profession="psychologist")
    attempt_pass(enrollment=enrollment)
    client.force_login(enrollment.user)
    page = page_words(client.get(url(enrollment)))
    assert (
        "Your certificate also needs active reading time. BOARD credit for this course needs "
        "at least 24 minutes of active reading; 0 are recorded so far, so 24 more minutes."
    ) in page

    response = client.post(url(enrollment), valid_form(enrollment), follow=True)
    assert "Your certificate follows once 24 more minutes of active reading are recorded" in (
        response.content.decode()
    )
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
