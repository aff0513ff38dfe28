"""Each role's README lists its variables exactly as meta/argument_specs.yml declares them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_role_readmes_are_written_from_the_specs():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "role-docs"), "--check"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
