"""What an executor yields for a job that did not return: it raised, or its worker died."""

from curate.errors import CurateError, first_line


class JobFailed(CurateError):
    """A job raised instead of returning a result; the message names the exception. A job's
    failure is that job's alone: executors yield it as the job's result, never raise it."""


class WorkerLost(JobFailed):
    """The worker process running a job died (killed, out of memory, crashed)."""


def job_failed(exc: BaseException) -> JobFailed:
    return JobFailed(f"the job raised {type(exc).__name__}: {first_line(exc)}")
