from django.dispatch import Signal

# Sent inside the transaction that records a completion, with `completion`
# (courses.CourseCompletion). Receivers must only write rows and defer any
# slow work with transaction.on_commit. certificates listens to it.
course_completed = Signal()
