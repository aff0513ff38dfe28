"""mysite's RQ worker: `python -m mysite.worker`, as supervisord runs it from the release's code.
On SIGTERM, RQ's warm shutdown finishes the job in flight, then exits."""

import os

from redis import Redis
from rq import Queue, Worker

if __name__ == '__main__':
    connection = Redis.from_url(os.environ.get('MYSITE_REDIS', 'redis://127.0.0.1:6379/0'))
    Worker([Queue(connection=connection)], connection=connection).work()
