"""Launch-module post-tests from their YAML (courses/launch_modules/README.md)."""

from django.db import transaction

from courses.models import CoursePage
from courses.selectors import course_objectives

from .models import PostTestPage

KINDS = {"single", "multiple", "true_false"}


class PostTestSpecError(ValueError):
    pass


def post_test_blocks(*, spec: dict, objective_keys: list[str] | None = None) -> list[dict]:
    """Raw StreamField data for the `post_test.questions` of a launch-module spec. The
    YAML names objectives by number (1 = the first); with the course's `objective_keys`
    (in order) each becomes the objective's key, as questions store it."""
    blocks = []
    for number, question in enumerate(spec["post_test"]["questions"], start=1):
        kind = question.get("kind")
        if kind not in KINDS:
            raise PostTestSpecError(f"question {number}: unknown kind {kind!r}")
        objective = int(question["objective"])
        if objective_keys is not None:
            if not 1 <= objective <= len(objective_keys):
                raise PostTestSpecError(
                    f"question {number}: objective {objective}, but the course has "
                    f"{len(objective_keys)}"
                )
            objective = objective_keys[objective - 1]
        value = {
            "stem": question["stem"].strip(),
            "rationale": str(question.get("rationale") or "").strip(),
            "objective": str(objective),
        }
        choices = question.get("choices") or []
        if kind == "true_false":
            correct = [c for c in choices if c.get("correct")]
            if "answer" in question:
                value["correct_answer"] = "true" if question["answer"] else "false"
            elif len(correct) == 1 and str(correct[0]["text"]).strip().lower() in ("true", "false"):
                value["correct_answer"] = str(correct[0]["text"]).strip().lower()
            else:
                raise PostTestSpecError(f"question {number}: a true/false item needs its answer")
        else:
            value["choices"] = [
                {"text": str(c["text"]).strip(), "correct": bool(c.get("correct"))} for c in choices
            ]
            if kind == "multiple":
                value["partial_credit"] = bool(question.get("partial_credit"))
        blocks.append({"type": kind, "value": value})
    return blocks


@transaction.atomic
def post_test_load(*, spec: dict, course: CoursePage, owner=None) -> PostTestPage | None:
    """Create and publish the course's post-test from `spec["post_test"]`, unless
    the course already has one (then it is left as an editor may have changed
    it, and only published if it never was). Returns the post-test."""
    data = spec.get("post_test")
    if not data:
        return None
    existing = PostTestPage.objects.child_of(course).first()
    if existing is not None:
        existing = existing.specific
        if not existing.live:
            existing.save_revision(user=owner).publish(user=owner)
        return existing
    blocks = post_test_blocks(
        spec=spec,
        objective_keys=[str(o.key) for o in course_objectives(course=course, draft=False)],
    )
    draw = int(data.get("draw") or 0)
    if draw > len(blocks):
        raise PostTestSpecError(f"draw {draw} exceeds the {len(blocks)} questions")
    settings = {
        key: data[key]
        for key in (
            "pass_mark",
            "attempts_allowed",
            "wait_minutes",
            "time_limit_minutes",
            "review_after_attempt",
            "full_review_after_pass",
            "shuffle_questions",
            "shuffle_choices",
        )
        if key in data
    }
    post_test = PostTestPage(
        title=data.get("title") or "Post-test",
        slug="post-test",
        intro=data.get("intro")
        or "<p>Answer every question, then submit once. Your score appears right away.</p>",
        questions=blocks,
        draw_count=draw,
        owner=owner,
        **settings,
    )
    course.add_child(instance=post_test)
    post_test.save_revision(user=owner).publish(user=owner)
    post_test.refresh_from_db()
    return post_test
