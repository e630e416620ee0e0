"""Records for the admin tables' journey, written in their own committed
transaction (run as `python -m tests.browser.records_seed` on the test database,
as the server sees it): one course credited by two accreditors, completed by
three clinicians with long names and two licenses each. Prints the course id
and the certificate numbers as JSON."""

import json
import uuid

import django


def main() -> None:
    django.setup()
    from certificates.models import Certificate
    from tests.factories import AccreditorFactory, clinician, course_build, course_completed_by

    tag = uuid.uuid4().hex[:4].upper()
    accreditors = [
        AccreditorFactory(
            short_name=f"APA-{tag}",
            name=f"American Psychological Association (tables journey {tag})",
            provider_number=f"APA-{tag}-1234",
        ),
        AccreditorFactory(
            short_name=f"ACE-{tag}",
            name="Association of Social Work Boards ACE",
            professions=["social_worker"],
            provider_number=f"ACE-{tag}-1677",
        ),
    ]
    course = course_build(
        title=f"Working with alliance ruptures in long-term psychotherapy {tag}",
        slug=f"tables-{tag.lower()}",
        accreditors=accreditors,
    )
    numbers = []
    for name in (
        "Alexandra Konstantinopoulou-Whitfield, PsyD, LCSW",
        "Bartholomew Quinn-Lindqvist Søderberg",
        "Dana Whitfield",
    ):
        person = clinician(full_name=name, professions=("psychologist", "social_worker"))
        enrollment, _ = course_completed_by(user=person, course=course, accreditors=accreditors)
        numbers += list(
            Certificate.objects.filter(enrollment=enrollment).values_list("number", flat=True)
        )
    print(json.dumps({"course_id": course.pk, "numbers": numbers}))


if __name__ == "__main__":
    main()
