"""Which worker ran which task, for benchmarks/cluster.py: with ``BENCH_TASK_LOG``
set, each worker process appends one JSON line per finished task (its name,
arguments, the worker's name and the task's start and end times). The
certificates record when a PDF was stored, not where: this says which of the
worker hosts rendered each one, and whether any certificate was rendered twice.
Only the cluster benchmark's settings import this module."""

import json
import os
import time

from celery.signals import task_postrun, task_prerun

_started: dict[str, float] = {}


@task_prerun.connect
def task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.time()


@task_postrun.connect
def task_finished(task_id=None, task=None, args=None, kwargs=None, state=None, **extra) -> None:
    path = os.environ.get("BENCH_TASK_LOG")
    if not path or task is None:
        return
    line = {
        "task": task.name,
        "args": list(args or ()),
        "kwargs": dict(kwargs or {}),
        "worker": task.request.hostname,
        "pid": os.getpid(),
        "started": _started.pop(task_id, None),
        "finished": time.time(),
        "state": state,
    }
    # One short line per write with O_APPEND: the processes of a worker share the file.
    with open(path, "a") as log:
        log.write(json.dumps(line, default=str) + "\n")
