"""Jobs for the RQ baseline. RQ's worker imports them by dotted name (noop.noop), so they
live in their own module that the worker processes can import from bench/rq/."""


def noop():
    """The no-op job: whatever it costs is the queue's own overhead."""
    return None


def _step(i):
    return i


def noop_workflow(n_steps):
    """Stands in for a no-op workflow of n_steps steps run as one job.

    Plain function calls, not sleeps: the point is the queue's cost per job, and a sleep
    would only measure the sleep. Returns None like noop(), so that both jobs store the
    same result payload and differ only in the work done inside the job."""
    for i in range(n_steps):
        _step(i)
    return None
