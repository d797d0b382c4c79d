"""The Redis-backed job runner (JOB_BACKEND=redis): several `flask bbt worker` processes share the work.

The durable queues stay in the database (outbox, mail, sheet tasks); Redis only carries the
triggers, so losing Redis loses no work, only promptness:

- a commit that queued work pushes a wakeup onto a Redis list (instead of the in-process Event);
  an idle worker blocks on that list (BLPOP) and runs its tasks when one arrives, or every
  `interval` seconds anyway;
- claiming tasks (the relay, the mail queue) run in every worker: their claims are database-safe
  (leases, `FOR UPDATE SKIP LOCKED` on PostgreSQL), so two relays never send the same row at once,
  and a killed worker's rows are due again when its lease passes;
- the other tasks (scheduler, digests, claim timeouts, sheet tasks) run once per tick across all
  workers: the worker that takes the task's Redis lock runs it; the others skip it this round.
"""
import logging
import os
import socket
import time

import redis
from . import jobs

log = logging.getLogger(__name__)

WAKE_KEY = "bbt:jobs:wake"
LOCK_PREFIX = "bbt:jobs:lock:"
WAKE_BACKLOG = 64  # wakeups kept at most: more would only run idle passes
# Tasks whose claims are safe in parallel (leases in the database): every worker runs them.
CLAIMING_TASKS = frozenset({"relay_deliveries", "send_due_emails"})
# A single-run task holds its lock at most this long (a killed worker's lock expires).
SINGLE_LOCK_SECONDS = 300


def client_for(app):
    return redis.Redis.from_url(app.config["REDIS_URL"])


def wake(client):
    """Ask the workers to run now (pipelined push + trim: one round trip)."""
    pipe = client.pipeline(transaction=False)
    pipe.lpush(WAKE_KEY, "1")
    pipe.ltrim(WAKE_KEY, 0, WAKE_BACKLOG - 1)
    pipe.execute()


def install_redis_wakeups(app, db):
    """Web processes: push a wakeup after any commit that queued mail, deliveries or sheet tasks."""
    client = client_for(app)
    app.extensions["bbt_jobs_redis"] = client
    jobs.note_queued_work(db, lambda: _wake_quietly(client))
    return client


def _wake_quietly(client):
    try:
        wake(client)
    except redis.RedisError:  # the work is in the database; a worker's next poll finds it
        log.warning("redis wakeup failed; the workers will find the work on their next poll")


def run_tasks_shared(app, client, worker_id):
    """One round: claiming tasks here; single-run tasks only if this worker takes their lock."""
    for name, func in jobs.registered_tasks():
        if name in CLAIMING_TASKS:
            jobs.run_task(app, name, func)
            continue
        lock = client.lock(LOCK_PREFIX + name, timeout=SINGLE_LOCK_SECONDS, blocking=False)
        if not lock.acquire(token=worker_id.encode()):
            continue  # another worker runs it this round
        try:
            jobs.run_task(app, name, func)
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:  # expired meanwhile: someone else may hold it now
                pass


def run_redis_worker(app, interval=1.0, stop=None):
    """`flask bbt worker` with JOB_BACKEND=redis: wait for a wakeup (or `interval`), run, repeat."""
    client = client_for(app)
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    log.info("redis worker started", extra={"interval": interval, "worker": worker_id})
    try:
        while stop is None or not stop():
            run_tasks_shared(app, client, worker_id)
            try:
                client.blpop([WAKE_KEY], timeout=interval)
            except redis.RedisError:
                log.warning("redis unavailable; polling the database", extra={"worker": worker_id})
                time.sleep(interval)
    except KeyboardInterrupt:
        log.info("worker stopped")
