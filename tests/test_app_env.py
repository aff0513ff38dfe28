"""roost-app-env.py as a program: a command, or a WSGI load check, run in the app's environment file.

(Inside uWSGI, where each worker imports it before loading the app, the operations scenario
proves it on a real host.)
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = Path(__file__).resolve().parent.parent / "roles/uwsgi/files/usr/local/lib/roost-app-env.py"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, str(HELPER), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=30, check=False)


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / "environment.json"
    path.write_text(json.dumps({"API_KEY": "k3y with spaces", "WORKERS": 4, "PERCH_CONFIG": "/srv/perch/c.json"}))
    return path


def test_a_command_gets_the_variables_and_numbers_become_strings(env_file):
    done = run(env_file, sys.executable, "-c", "import os; print(os.environ['API_KEY'], os.environ['WORKERS'])")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "k3y with spaces 4\n"


def test_the_command_keeps_its_arguments_and_exit_status(env_file):
    done = run(env_file, "sh", "-c", 'echo "$1"; exit 7', "sh", "--check-wsgi")
    assert (done.returncode, done.stdout) == (7, "--check-wsgi\n")


def test_check_wsgi_imports_the_callable_from_the_current_directory(env_file, tmp_path):
    (tmp_path / "site_app.py").write_text(
        "import os\nassert os.environ['API_KEY']\napplication = lambda environ, start_response: []\nnot_callable = 1\n")
    assert run(env_file, "--check-wsgi", "site_app:application", cwd=tmp_path).returncode == 0
    refused = run(env_file, "--check-wsgi", "site_app:not_callable", cwd=tmp_path)
    assert refused.returncode == 1 and "site_app:not_callable is not callable" in refused.stderr
    missing = run(env_file, "--check-wsgi", "site_app:nothing", cwd=tmp_path)
    assert missing.returncode == 1 and "AttributeError" in missing.stderr


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read the app's environment from"),
    ("{not json", "cannot read the app's environment from"),
    ('["a", "list"]', "must hold a JSON object of strings and numbers"),
    ('{"FLAG": true}', "must hold a JSON object of strings and numbers"),
    ('{"NESTED": {"a": 1}}', "must hold a JSON object of strings and numbers"),
])
def test_an_unreadable_or_wrong_file_stops_before_the_command(tmp_path, content, message):
    path = tmp_path / "environment.json"
    if content is not None:
        path.write_text(content)
    marker = tmp_path / "ran"
    done = run(path, "touch", marker)
    assert done.returncode == 1 and message in done.stderr and str(path) in done.stderr
    assert not marker.exists()


def test_without_a_command_it_prints_its_usage(env_file):
    done = run(env_file)
    assert done.returncode == 1 and "ENV_FILE COMMAND" in done.stderr
