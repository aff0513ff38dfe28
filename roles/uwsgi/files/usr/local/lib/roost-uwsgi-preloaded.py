"""Imported by a uWSGI master after the modules it preloads (shared-import; roost.wsgi.uwsgi).

The workers the master forks share these modules' memory. Lazy-apps loads the app itself in each
worker, from the release `current` points at; the preloaded libraries, though, are the master's,
and a chain reload hands them to the next release's workers too. So the master records here which
distributions, at which versions, it holds in memory, and roost-uwsgi-ctl reloads the master instead
of chaining when the release about to be loaded has other versions of any of them.

The record is <run dir>/preloaded.json, next to the app's socket. Then the preloaded objects are
moved out of the garbage collector's reach (gc.freeze), so its passes in the workers do not write
to, and so copy, the pages they share.
"""

import gc
import json
import os
import re
import sys
from importlib import metadata

import uwsgi


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def record():
    socket = uwsgi.opt["socket"]
    run_dir = os.path.dirname(socket.decode() if isinstance(socket, bytes) else socket)
    providers = metadata.packages_distributions()
    loaded = {name.partition(".")[0] for name in list(sys.modules)}
    versions = {}
    for top in loaded:
        for dist in providers.get(top, ()):
            versions[canonical(dist)] = metadata.version(dist)
    path = os.path.join(run_dir, "preloaded.json")
    with open(path + ".tmp", "w") as handle:
        json.dump({"pid": os.getpid(), "python": "{}.{}".format(*sys.version_info[:2]), "distributions": versions},
                  handle, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)


record()
gc.freeze()
