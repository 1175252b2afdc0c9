"""What an executor yields for a task that did not return: it raised, or its worker died."""

from curate.errors import CurateError, first_line


class TaskFailed(CurateError):
    """A task raised instead of returning a result; the message names the exception. A task's
    failure is that task's alone: executors yield it as the task's result, never raise it."""


class WorkerLost(TaskFailed):
    """The worker process running a task died (killed, out of memory, crashed)."""


def task_failed(exc: BaseException) -> TaskFailed:
    return TaskFailed(f"the task raised {type(exc).__name__}: {first_line(exc)}")
