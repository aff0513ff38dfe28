"""sample_app/requirements.lock is what uv writes for sample_app/pyproject.toml today.

uv keeps the versions already pinned in the output file, so this fails only when pyproject.toml
asks for something the lock does not hold (or holds no longer), not when upstream releases.
"""

import shutil
import subprocess
import sys
from pathlib import Path

SAMPLE_APP = Path(__file__).resolve().parent.parent / "sample_app"
COMMAND = ["pip", "compile", "--quiet", "--universal", "--generate-hashes", "--python-version", "3.11",
           "--extra", "deploy", "--extra", "postgres", "--no-header"]


def body(text):
    return [line for line in text.splitlines() if not line.startswith("#")]


def test_the_lock_matches_pyproject(tmp_path):
    lock = tmp_path / "requirements.lock"
    shutil.copy(SAMPLE_APP / "requirements.lock", lock)
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([str(uv), *COMMAND, "-o", str(lock), "pyproject.toml"], check=True, timeout=300, cwd=SAMPLE_APP)
    assert body(lock.read_text()) == body((SAMPLE_APP / "requirements.lock").read_text()), (
        "sample_app/requirements.lock is out of date: see sample_app/README.md")
