"""The step providers of one page share their common reads
(courses.registry.step_batch and batch_read): a read is made once per page for
the same enrollments, every time outside a page, and never leaks into the next."""

from types import SimpleNamespace

from courses.registry import batch_read, step_batch


def _enrollments(*ids):
    return [SimpleNamespace(pk=pk) for pk in ids]


def _counting():
    calls = []

    def read():
        calls.append(1)
        return {"read": len(calls)}

    return calls, read


def test_inside_one_page_the_same_read_for_the_same_enrollments_is_made_once():
    calls, read = _counting()
    with step_batch():
        first = batch_read("attempts", _enrollments(1, 2), read)
        again = batch_read("attempts", _enrollments(2, 1), read)  # order does not matter
    assert first is again
    assert len(calls) == 1


def test_other_enrollments_or_another_read_are_read_apart():
    calls, read = _counting()
    with step_batch():
        batch_read("attempts", _enrollments(1, 2), read)
        batch_read("attempts", _enrollments(1), read)
        batch_read("credits", _enrollments(1, 2), read)
    assert len(calls) == 3


def test_outside_a_page_and_on_the_next_page_every_read_is_made_again():
    calls, read = _counting()
    batch_read("attempts", _enrollments(1), read)
    batch_read("attempts", _enrollments(1), read)
    with step_batch():
        batch_read("attempts", _enrollments(1), read)
    with step_batch():
        batch_read("attempts", _enrollments(1), read)
    assert len(calls) == 4
