"""Proof that a lesson's page was served to a clinician, carried by its "Mark
lesson complete" form. The page's GET writes nothing (the lesson's first
heartbeat opens its progress row), so a browser without script, which sends
no heartbeat, shows with this that the clinician opened the lesson."""

from django.core import signing

SALT = "courses.lesson-served"
MAX_AGE_SECONDS = 24 * 3600


def lesson_served_token(*, user, lesson) -> str:
    return signing.dumps([user.pk, lesson.pk], salt=SALT, compress=False)


def lesson_served_check(*, token: str, user, lesson) -> bool:
    if not token or len(token) > 200:
        return False
    try:
        served = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    return served == [user.pk, lesson.pk]
