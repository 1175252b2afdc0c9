"""What an executor yields for a job whose worker died under it."""


class WorkerLost(Exception):
    """The worker process running a job died (killed, out of memory, crashed)."""
