"""The ansible-cores scripts/test runs are exactly the ones meta/runtime.yml claims.

.venv's ansible-core (requirements-dev.txt) is the newest and runs everything; `scripts/test cores` runs
the syntax checks and the every_core tests on each of the others, and full_stack@<oldest> converges for
real on the oldest. A claim widened without a core to prove it, or a core tested that is not claimed,
fails here.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def claimed_minors():
    """Every 2.N the requires_ansible range of meta/runtime.yml admits, e.g. ">=2.16.0,<2.22.0"."""
    spec = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"]
    low = re.fullmatch(r">=2\.(\d+)\.0", spec.split(",")[0]).group(1)
    high = re.fullmatch(r"<2\.(\d+)\.0", spec.split(",")[1]).group(1)
    return [f"2.{minor}" for minor in range(int(low), int(high))]


def minors_scripts_test_runs():
    script = (ROOT / "scripts" / "test").read_text()
    oldest = re.search(r"^OLDEST_CORE=(2\.\d+)$", script, re.MULTILINE).group(1)
    middle = re.search(r"^MIDDLE_CORES=\(([^)]*)\)$", script, re.MULTILINE).group(1).split()
    pin = re.search(r"^ansible-core==(2\.\d+)\.\d+$", (ROOT / "requirements-dev.txt").read_text(), re.MULTILINE).group(1)
    return oldest, middle, pin


def test_every_claimed_core_is_tested_and_only_those():
    oldest, middle, newest = minors_scripts_test_runs()
    assert sorted([oldest, *middle, newest], key=lambda minor: int(minor.split(".")[1])) == claimed_minors()


def test_the_two_lanes_of_checks_run_every_core_once():
    script = (ROOT / "scripts" / "test").read_text()
    oldest, middle, _newest = minors_scripts_test_runs()
    lanes = []
    for lane in ("UNIT_LANE_CORES", "LINT_LANE_CORES"):
        for word in re.search(rf"^{lane}=\(([^)]*)\)$", script, re.MULTILINE).group(1).split():
            lanes += {'"$OLDEST_CORE"': [oldest], '"${MIDDLE_CORES[@]}"': middle}.get(word, [word])
    assert sorted(lanes) == sorted([oldest, *middle])


def test_the_cores_between_run_tests_that_exist_and_are_every_core():
    script = (ROOT / "scripts" / "test").read_text()
    for path in re.search(r"^MIDDLE_CORE_TESTS=\(([^)]*)\)$", script, re.MULTILINE).group(1).split():
        assert "every_core" in (ROOT / path).read_text(), path


def test_the_oldest_core_converges_full_stack_among_the_scenarios():
    script = (ROOT / "scripts" / "test").read_text()
    longest_first = re.search(r"^LONGEST_FIRST=\(([^)]*)\)$", script, re.MULTILINE).group(1)
    assert '"full_stack@$OLDEST_CORE"' in longest_first.split()


def test_every_claimed_core_has_the_same_sanity_ignores():
    """ansible-test reads tests/sanity/ignore-<its version>.txt: each core claimed needs one, and what
    cannot be fixed on one core cannot be fixed on another."""
    ignores = {path.name: path.read_text() for path in (ROOT / "tests" / "sanity").glob("ignore-*.txt")}
    assert sorted(ignores) == sorted(f"ignore-{minor}.txt" for minor in claimed_minors())
    assert len(set(ignores.values())) == 1
