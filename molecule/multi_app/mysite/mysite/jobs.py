"""What mysite does beside its web requests: a queued job (run by its RQ worker) and a scheduled one
(run by a systemd timer). Each writes the release it ran from, so a test can tell which code ran."""

import datetime
import os
import sys
import time
from pathlib import Path

# /srv/mysite/releases/<id>/code/mysite/jobs.py: the release this code belongs to.
RELEASE = Path(__file__).resolve().parents[2].name
DATA = Path(os.environ.get('MYSITE_DATA', '/srv/mysite/shared/data'))


def record(log, text, seconds=0):
    """Append 'RELEASE TEXT start|done' lines to DATA/LOG; with seconds, the job takes that long, or
    less if DATA/go-TEXT appears first (a test lets it finish once it has seen what it waits for)."""
    with open(DATA / log, 'a') as out:
        out.write(f'{RELEASE} {text} start\n')
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline and not (DATA / f'go-{text}').exists():
        time.sleep(0.2)
    with open(DATA / log, 'a') as out:
        out.write(f'{RELEASE} {text} done\n')


def tick():
    """The scheduled job: one line per run, with the time it ran."""
    with open(DATA / 'ticks.log', 'a') as out:
        out.write(f'{RELEASE} {datetime.datetime.now(datetime.timezone.utc).isoformat()}\n')


if __name__ == '__main__':
    tick() if sys.argv[1:] == ['tick'] else sys.exit('usage: python -m mysite.jobs tick')
