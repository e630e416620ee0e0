"""The one receiver: a completed course earns its certificates."""

from . import services


def on_course_completed(sender, *, completion, **kwargs):
    # Runs inside the completion transaction: the certificate rows commit or roll
    # back with the completion; rendering is enqueued on commit.
    services.certificates_issue_for_completion(completion=completion)
