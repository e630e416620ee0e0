"""`WAGTAIL_FINISH_WORKFLOW_ACTION` (cms/settings/base.py) names this function.

Wagtail imports that setting while `wagtail.models` is still being loaded, so
this module imports nothing at load time and hands over to `courses.review`.
"""


def workflow_finish(workflow_state, user=None) -> None:
    from .review import workflow_finish as finish

    finish(workflow_state, user=user)
