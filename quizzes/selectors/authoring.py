"""The post-test of a course as authors see it: the publish check, the rules check,
and questions left without their objective."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from wagtail.models import WorkflowState

from courses.models import (
    Accreditor,
    CoursePage,
)
from courses.selectors import course_objectives

from ..grading import TRUE_FALSE
from ..item_quality import ItemStats, item_stats
from ..models import (
    DEFAULT_ATTEMPTS,
    DEFAULT_PASS_MARK,
    PostTestPage,
)

# --- The post-test of a course -------------------------------------------------------------


def post_test_for_course(*, course: CoursePage, live_only: bool = True) -> PostTestPage | None:
    qs = PostTestPage.objects.child_of(course)
    if live_only:
        qs = qs.live()
    return qs.first()


def course_post_test_problems(course: CoursePage, *, for_publish: bool = True) -> list[str]:
    """Publishing check (courses.registry): a self-paced CE course needs a post-test
    with questions, and a live one to publish. Sending the course for approval
    (`for_publish=False`) accepts a post-test that is still a draft or awaiting
    approval, as it accepts draft lessons: the post-test goes through approval too, so
    one round of review covers the course and everything under it. Rule shortfalls are
    warnings in the editor, not here."""
    post_test = post_test_for_course(course=course, live_only=False) if course.pk else None
    if post_test is None:
        return ["Post-test: the course has none (add a post-test page under the course)"]
    if not for_publish:
        if post_test.live and len(post_test.questions):
            return []
        # The version that will be approved: the latest revision (a draft's own row
        # keeps what it was created with).
        if len(post_test.get_latest_revision_as_object().questions) == 0:
            return [f"Post-test: “{post_test.draft_title}” has no questions"]
        return []
    if not post_test.live:
        workflow_state = post_test.current_workflow_state
        if workflow_state is None:
            state = "it is a draft (submit it for approval, or publish it, first)"
        elif workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
            state = "it is awaiting approval (approve it first)"
        else:
            state = "changes to it were requested (approve it once it is resubmitted)"
        return [f"Post-test: “{post_test.draft_title}” is not published yet: {state}"]
    if len(post_test.questions) == 0:
        return [f"Post-test: “{post_test.title}” has no questions"]
    return []


@dataclass
class AccreditorCheck:
    accreditor: Accreditor
    hours: Decimal
    minimum_questions: int
    questions_per_attempt: int
    true_false_percent: Decimal
    max_true_false_percent: int
    #: The accreditor's question rules bind (NASW) rather than advise (APA).
    required: bool = True

    @property
    def size_ok(self) -> bool:
        return self.questions_per_attempt >= self.minimum_questions

    @property
    def true_false_ok(self) -> bool:
        return self.true_false_percent <= self.max_true_false_percent


@dataclass
class PostTestCheck:
    questions_total: int
    questions_per_attempt: int
    true_false_total: int
    objectives: list[str]
    #: Questions per objective, by the objective's number (1 = the first).
    questions_by_objective: dict[int, int]
    rows: list[AccreditorCheck]
    pass_mark: Decimal
    attempts_allowed: int
    warnings: list[str] = field(default_factory=list)
    #: Item-writing advice (quizzes.item_quality): longest-option keys, unbalanced
    #: true/false keys, a pool too small for a retake to differ.
    item_warnings: list[str] = field(default_factory=list)
    item_stats: ItemStats | None = None

    @property
    def ok(self) -> bool:
        return not self.warnings and not self.item_warnings

    @property
    def objective_rows(self) -> list[tuple[int, str, int]]:
        """(number, text, questions measuring it) for each course objective."""
        return [
            (number, text, self.questions_by_objective.get(number, 0))
            for number, text in enumerate(self.objectives, start=1)
        ]


def post_test_check(*, post_test: PostTestPage, course: CoursePage) -> PostTestCheck:
    """The post-test against the rules of each accreditor the course is offered
    under. The size rule applies to the questions a participant gets (the
    draw); the true/false share is the worst a draw can hold."""
    questions = list(post_test.questions)
    total = len(questions)
    per_attempt = min(post_test.draw_count, total) if post_test.draw_count else total
    true_false = sum(1 for q in questions if q.block_type == TRUE_FALSE)
    worst_tf = min(true_false, per_attempt)
    tf_percent = (
        (Decimal(worst_tf) * 100 / per_attempt).quantize(Decimal("0.1"))
        if per_attempt
        else Decimal("0")
    )
    # As the course editor shows them: questions choose among these.
    course_objective_rows = course_objectives(course=course)
    objectives = [o.text for o in course_objective_rows]
    number_of = {str(o.key): n for n, o in enumerate(course_objective_rows, start=1)}
    by_objective: dict[int, int] = defaultdict(int)
    for q in questions:
        by_objective[number_of.get(str(q.value.get("objective") or ""), 0)] += 1
    hours = course.hours_by_accreditor() if course.pk else {}
    accreditors = Accreditor.objects.in_bulk(list(hours))
    rows = [
        AccreditorCheck(
            accreditor=accreditors[accreditor_id],
            hours=hours[accreditor_id],
            minimum_questions=accreditors[accreditor_id].minimum_questions(hours[accreditor_id]),
            questions_per_attempt=per_attempt,
            true_false_percent=tf_percent,
            max_true_false_percent=accreditors[accreditor_id].max_true_false_percent,
            required=accreditors[accreditor_id].post_test_rules_required,
        )
        for accreditor_id in sorted(hours, key=lambda i: accreditors[i].short_name)
    ]
    check = PostTestCheck(
        questions_total=total,
        questions_per_attempt=per_attempt,
        true_false_total=true_false,
        objectives=objectives,
        questions_by_objective=dict(by_objective),
        rows=rows,
        pass_mark=(
            post_test.pass_mark
            if post_test.pass_mark is not None
            else max((r.accreditor.pass_mark for r in rows), default=DEFAULT_PASS_MARK)
        ),
        attempts_allowed=post_test.attempts_allowed
        or min((r.accreditor.attempts_allowed for r in rows), default=DEFAULT_ATTEMPTS),
    )
    if total == 0:
        check.warnings.append("The post-test has no questions yet.")
    for row in rows:
        name = row.accreditor.short_name
        verb = "requires" if row.required else "recommends"
        if not row.size_ok:
            check.warnings.append(
                f"{name} {verb} at least {row.minimum_questions} questions per attempt for "
                f"{row.hours} credit hours; this post-test gives {per_attempt}."
            )
        if not row.true_false_ok:
            check.warnings.append(
                f"{name} {verb} that true/false items be at most {row.max_true_false_percent} % "
                f"of a post-test; an attempt here can hold {row.true_false_percent} % "
                f"({worst_tf} of {per_attempt})."
            )
    for number, text in enumerate(objectives, start=1):
        if not by_objective.get(number):
            check.warnings.append(f"Objective {number} has no question: “{text}”.")
    for position, q in enumerate(questions, start=1):
        if str(q.value.get("objective") or "") not in number_of:
            check.warnings.append(
                f"Question {position} measures no objective of the course: choose the one it "
                "measures."
            )
        if not str(q.value.get("rationale") or "").strip():
            check.warnings.append(f"Question {position} has no rationale.")
    if per_attempt and len(objectives) > per_attempt:
        check.warnings.append(
            f"An attempt draws {per_attempt} questions, fewer than the {len(objectives)} "
            "objectives: some attempts cannot measure every objective."
        )
    check.item_stats = item_stats(post_test.questions.raw_data)
    check.item_warnings = check.item_stats.warnings(
        per_attempt=per_attempt, retakes=check.attempts_allowed > 1
    )
    return check


def questions_without_objective(*, course) -> str:
    """A warning when questions of the course's post-test (its latest revision)
    measure an objective the course no longer has (its latest revision: one was
    removed), else "". Moving or rewording objectives changes no question: they
    name their objective by its key."""
    if course.specific_class is not CoursePage:
        return ""
    post_test = PostTestPage.objects.child_of(course).first()
    if post_test is None:
        return ""
    keys = {str(o.key) for o in course_objectives(course=course.specific)}
    questions = post_test.specific.get_latest_revision_as_object().questions
    orphans = [
        str(position)
        for position, block in enumerate(questions, start=1)
        if str(block.value.get("objective") or "") not in keys
    ]
    if not orphans:
        return ""
    listed = ", ".join(orphans)
    return (
        f"In “{post_test.title}”, question{'s' if len(orphans) > 1 else ''} {listed} "
        "measure an objective the course no longer has: choose the objective of each in the "
        "post-test's editor."
    )


def post_test_for_editor(*, user, post_test_id: int) -> PostTestPage | None:
    """The post-test, if `user` may edit it (its authors, the Administrators), else None."""
    page = PostTestPage.objects.filter(pk=post_test_id).first()
    if page is None or not page.permissions_for_user(user).can_edit():
        return None
    return page
