"""Item analysis on the course report: facility, discrimination (item against the
rest of the test) and each answer's share, from first attempts only, checked
against figures worked out by hand; the flags; the CSV with its audit row."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from courses.services import enrollment_create
from quizzes.models import Attempt, PostTestPage
from reports.selectors import Period
from reports.selectors.item_analysis import item_analysis
from tests.factories import InstructorFactory, UserFactory, course_build, staff_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Period(start=TODAY - timedelta(days=30), end=TODAY)


def single(qid, *texts, right=0):
    return {
        "id": qid,
        "kind": "single",
        "stem": f"Stem of {qid}?",
        "objective": "",
        "partial_credit": False,
        "rationale": "R.",
        "choices": [
            {"id": f"{qid}-{i}", "text": text, "correct": i == right}
            for i, text in enumerate(texts)
        ],
    }


def true_false(qid, *, answer=True):
    return {
        "id": qid,
        "kind": "true_false",
        "stem": f"Statement {qid}.",
        "objective": "",
        "partial_credit": False,
        "rationale": "R.",
        "choices": [
            {"id": f"{qid}-t", "text": "True", "correct": answer},
            {"id": f"{qid}-f", "text": "False", "correct": not answer},
        ],
    }


def attempt(course, questions, answers, *, number=1, when=None, status="submitted", user=None):
    """A graded attempt as attempt_submit leaves it: credit 1 for the right choice."""
    from courses.models import Enrollment

    if user is None:
        enrollment = enrollment_create(user=UserFactory(), course=course)
    else:
        enrollment = Enrollment.objects.get(user=user, course=course)
    results = {}
    for question in questions:
        right = {c["id"] for c in question["choices"] if c["correct"]}
        results[question["id"]] = "1.0" if set(answers.get(question["id"], [])) == right else "0.0"
    score = Decimal(100) * sum(Decimal(v) for v in results.values()) / len(questions)
    when = when or timezone.now() - timedelta(days=1)
    return Attempt.objects.create(
        enrollment=enrollment,
        post_test=PostTestPage.objects.child_of(course).first(),
        number=number,
        questions=questions,
        answers={qid: ids for qid, ids in answers.items() if ids},
        results=results,
        score=score.quantize(Decimal("0.01")),
        passed=score >= 75,
        pass_mark=Decimal("75"),
        started_at=when - timedelta(minutes=10),
        submitted_at=when,
        status=status,
    )


@pytest.fixture
def course():
    return course_build(title="Ruptures")


@pytest.fixture
def five_first_attempts(course):
    """Five participants' first attempts at Q1 (a right), Q2 (x right), Q3 (true):

    participant  Q1  Q2  Q3   answers
    P1            1   1   1   a, x, True
    P2            1   1   0   a, x, False
    P3            1   0   0   a, y, False
    P4            0   1   1   b, x, True
    P5            1   0   0   a, (none), False

    plus attempts that must not count: P3's second attempt (all right), a first
    attempt closed because time ran out, and one submitted before the period."""
    questions = [single("Q1", "a", "b", "c"), single("Q2", "x", "y"), true_false("Q3")]
    rows = [
        ({"Q1": ["Q1-0"], "Q2": ["Q2-0"], "Q3": ["Q3-t"]}),
        ({"Q1": ["Q1-0"], "Q2": ["Q2-0"], "Q3": ["Q3-f"]}),
        ({"Q1": ["Q1-0"], "Q2": ["Q2-1"], "Q3": ["Q3-f"]}),
        ({"Q1": ["Q1-1"], "Q2": ["Q2-0"], "Q3": ["Q3-t"]}),
        ({"Q1": ["Q1-0"], "Q2": [], "Q3": ["Q3-f"]}),
    ]
    made = [attempt(course, questions, answers) for answers in rows]
    everything_right = {"Q1": ["Q1-0"], "Q2": ["Q2-0"], "Q3": ["Q3-t"]}
    attempt(course, questions, everything_right, number=2, user=made[2].enrollment.user)
    attempt(course, questions, {}, status="expired")
    attempt(course, questions, everything_right, when=timezone.now() - timedelta(days=90))
    return questions


def by_id(analysis):
    return {item.question_id: item for item in analysis.items}


def test_facility_discrimination_and_answer_shares_match_the_hand_calculation(
    course, five_first_attempts
):
    analysis = item_analysis(course=course, period=PERIOD)

    assert analysis.attempts == 5  # first, graded, in the period
    items = by_id(analysis)
    assert [i.takers for i in analysis.items] == [5, 5, 5]
    # Facility: the share answering correctly.
    assert items["Q1"].facility == Decimal("80.0")  # 4 of 5
    assert items["Q2"].facility == Decimal("60.0")  # 3 of 5
    assert items["Q3"].facility == Decimal("40.0")  # 2 of 5
    # Discrimination: Pearson r (x100) of the item against the rest of the test, the
    # mean of the other two items (x100).
    #   Q1: x = 1,1,1,0,1; rest = 100,50,0,100,0: sxy = -50, sxx = 0.8, syy = 10000,
    #       r = -50 / sqrt(8000) = -0.559
    #   Q2: x = 1,1,0,1,0; rest = 100,50,50,50,50: sxy = 20, sxx = 1.2, syy = 2000,
    #       r = 20 / sqrt(2400) = 0.408
    #   Q3: x = 1,0,0,1,0; rest = 100,100,50,50,50: sxy = 10, sxx = 1.2, syy = 3000,
    #       r = 10 / 60 = 0.167
    assert items["Q1"].discrimination == Decimal("-55.9")
    assert items["Q2"].discrimination == Decimal("40.8")
    assert items["Q3"].discrimination == Decimal("16.7")
    # Each answer's share of the item's takers, and the blanks.
    assert [(c.text, c.correct, c.chosen, c.share) for c in items["Q1"].choices] == [
        ("a", True, 4, Decimal("80.0")),
        ("b", False, 1, Decimal("20.0")),
        ("c", False, 0, Decimal("0.0")),
    ]
    assert [(c.text, c.chosen, c.share) for c in items["Q2"].choices] == [
        ("x", 3, Decimal("60.0")),
        ("y", 1, Decimal("20.0")),
    ]
    assert (items["Q2"].blank, items["Q2"].blank_share) == (1, Decimal("20.0"))
    assert [(c.text, c.share) for c in items["Q3"].choices] == [
        ("True", Decimal("40.0")),
        ("False", Decimal("60.0")),
    ]
    # Flags: only Q1, whose discrimination is negative.
    assert items["Q1"].flags == ["discriminates negatively"]
    assert items["Q2"].flags == [] and items["Q3"].flags == []


def test_items_too_easy_or_too_hard_are_flagged_each_on_its_own_takers(course):
    easy, hard, other = single("E", "a", "b"), single("H", "a", "b"), single("Z", "a", "b")
    attempt(course, [easy, hard], {"E": ["E-0"], "H": ["H-0"]})
    attempt(course, [easy, hard], {"E": ["E-0"], "H": ["H-1"]})
    attempt(course, [easy, hard], {"E": ["E-0"], "H": ["H-1"]})
    attempt(course, [easy, hard], {"E": ["E-0"], "H": ["H-1"]})
    attempt(course, [easy, other], {"E": ["E-0"], "Z": ["Z-1"]})  # did not draw H

    items = by_id(item_analysis(course=course, period=PERIOD))

    assert (items["E"].takers, items["E"].facility) == (5, Decimal("100.0"))
    assert items["E"].discrimination is None  # everyone right: no spread to correlate
    assert items["E"].flags == ["too easy"]
    assert (items["H"].takers, items["H"].facility) == (4, Decimal("25.0"))
    assert items["H"].flags == ["too hard"]
    assert items["Z"].number is None  # not a question of the live post-test


def test_the_course_report_shows_the_items_and_the_csv_is_recorded(
    client, course, five_first_attempts
):
    teacher = staff_user(group="Instructors")
    InstructorFactory(user=teacher)
    admin = staff_user(group="Administrators")
    client.force_login(admin)
    query = f"start={PERIOD.start}&end={PERIOD.end}"

    html = client.get(f"/admin/audit-reports/courses/{course.pk}/?{query}").content.decode()
    assert "Post-test item analysis" in html
    assert "From each participant's <strong>first</strong> graded attempt" in html
    assert "1 of 3 items flagged." in html
    assert "<strong>Discriminates negatively</strong>" in html
    assert "-55.9" in html

    response = client.get(f"/admin/audit-reports/courses/{course.pk}/items/csv/?{query}")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    q1 = [line for line in lines[1:] if line[2] == "Stem of Q1?"]
    # Q1's first line column by column under the header, then the answers of all four.
    # The attempts' questions are not the live post-test's (course_build makes its own),
    # so Q1 has no number there.
    assert list(zip(lines[0], q1[0], strict=True)) == [
        ("Question", "(no longer in the post-test)"),
        ("Type", "Single choice"),
        ("Stem", "Stem of Q1?"),
        ("Takers", "5"),
        ("Facility index (%)", "80.0"),
        ("Discrimination index (%)", "-55.9"),
        ("Flags", "discriminates negatively"),
        ("Answer", "a"),
        ("Right answer", "yes"),
        ("Chosen by", "4"),
        ("Share of takers (%)", "80.0"),
    ]
    assert [line[7:] for line in q1] == [
        ["a", "yes", "4", "80.0"],
        ["b", "no", "1", "20.0"],
        ["c", "no", "0", "0.0"],
        ["(no answer)", "", "0", "0.0"],
    ]
    (event,) = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert event.actor_id == admin.pk
    assert event.data["report"] == "item_analysis"
    assert event.data["rows"] == len(lines) - 1
    assert event.object_id == str(course.pk)


def test_the_item_analysis_comes_as_xlsx_too_with_the_same_rows(
    client, course, five_first_attempts
):
    from openpyxl import load_workbook

    admin = staff_user(group="Administrators")
    client.force_login(admin)
    query = f"start={PERIOD.start}&end={PERIOD.end}"
    html = client.get(f"/admin/audit-reports/courses/{course.pk}/?{query}").content.decode()
    escaped = query.replace("&", "&amp;")
    assert f"/admin/audit-reports/courses/{course.pk}/items/xlsx/?{escaped}" in html

    csv_response = client.get(f"/admin/audit-reports/courses/{course.pk}/items/csv/?{query}")
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    csv_lines = list(csv.reader(io.StringIO(text)))
    response = client.get(f"/admin/audit-reports/courses/{course.pk}/items/xlsx/?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == csv_lines[0]
    assert len(rows) == len(csv_lines)
    q1 = [row for row in rows[1:] if row[2] == "Stem of Q1?"]
    assert [row[7] for row in q1] == ["a", "b", "c", "(no answer)"]
    formats = [
        e.data["format"]
        for e in AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("pk")
    ]
    assert formats == ["csv", "xlsx"]


def test_a_bad_period_for_the_csv_is_refused_and_nothing_is_recorded(client, course):
    client.force_login(staff_user(group="Administrators"))
    response = client.get(f"/admin/audit-reports/courses/{course.pk}/items/csv/?start=never")
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_another_instructors_course_items_are_not_found(client, course):
    client.force_login(staff_user(group="Instructors"))
    response = client.get(f"/admin/audit-reports/courses/{course.pk}/items/csv/")
    assert response.status_code == 404


def test_a_period_without_attempts_says_so(client, course):
    client.force_login(staff_user(group="Administrators"))
    early = date(2020, 1, 1)
    html = client.get(
        f"/admin/audit-reports/courses/{course.pk}/?start={early}&end={early}"
    ).content.decode()
    assert "No graded first attempt in the period." in html
