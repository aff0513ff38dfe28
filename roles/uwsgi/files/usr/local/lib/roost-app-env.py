"""An app's environment, read from the JSON file roost.wsgi.wsgi_app writes (root:<app user>, 0640).

The environment is never put in a process manager's program file or on a command line, where other
users or a deploy's output could read it; and changing it never restarts uWSGI's master:

- Each uWSGI worker imports this file (the ini's `import`, the file's path in its `roost-env-file`
  placeholder) before it loads the app, so a chain reload hands a changed environment to new workers
  one at a time while the others serve. pyuwsgi's Python reads the process environment before uWSGI
  parses the ini, which is why ini `env` lines cannot do this.
- Run as a program, it starts a command in that environment (a migration, a load check):

      python3 roost-app-env.py ENV_FILE COMMAND [ARG...]
      PYTHON roost-app-env.py ENV_FILE --check-wsgi package.module:callable

  --check-wsgi imports the WSGI callable with PYTHON (the release's own) and checks it is callable.

A file that cannot be read stops the worker or the command with a message naming it: an app never
starts without the environment it was given.
"""

import importlib
import json
import os
import sys


def load(path):
    """Add the variables of the JSON object in `path` to os.environ."""
    try:
        with open(path, encoding="utf-8") as handle:
            variables = json.load(handle)
    except (OSError, ValueError) as exc:
        sys.exit(f"roost-app-env: cannot read the app's environment from {path}: {exc}")
    if not isinstance(variables, dict) or not all(isinstance(value, (str, int, float)) and not isinstance(value, bool)
                                                  for value in variables.values()):
        sys.exit(f"roost-app-env: {path} must hold a JSON object of strings and numbers")
    os.environ.update({name: str(value) for name, value in variables.items()})


def check_wsgi(target):
    module, _colon, name = target.partition(":")
    app = getattr(importlib.import_module(module), name or "application")
    if not callable(app):
        sys.exit(f"{target} is not callable")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    load(argv[0])
    if argv[1] == "--check-wsgi" and len(argv) == 3:
        # The current directory comes first on sys.path, as it does for uWSGI's `module`.
        sys.path.insert(0, os.getcwd())
        check_wsgi(argv[2])
        return
    os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
else:
    import uwsgi  # pylint: disable=import-error  # only inside uWSGI

    load(uwsgi.opt["roost-env-file"].decode())
