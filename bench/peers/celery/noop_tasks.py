"""Tasks and app for the Celery peer benchmark. The worker processes import them by module name
(noop_tasks), so they live in a module of their own that bench.py and its workers share.

The broker is the Redis URL in PEER_CELERY_BROKER. No result backend: Celery's default is none,
and neither the no-op tasks nor the chains need one (a chain's remaining steps travel in the
message, and the worker that finishes a step sends the next)."""

import os

from celery import Celery

QUEUE = "quorum-peers-celery"

app = Celery("quorum_peers", broker=os.environ.get("PEER_CELERY_BROKER", "redis://127.0.0.1:6379/13"))
app.conf.update(
    task_default_queue=QUEUE,
    # The coming default, set here only to silence the warning that it is coming.
    broker_connection_retry_on_startup=True,
)


@app.task(name="noop")
def noop():
    """The no-op task: whatever it costs is the queue's own overhead."""
    return None
