"""roost.wsgi.release_link, run by ansible on this controller against an app root in a temporary directory."""

import os

import pytest
from conftest import run_module

OLD, NEW = "a" * 12, "b" * 12


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "app"
    for release in (OLD, NEW):
        (root / "releases" / release / "venv").mkdir(parents=True)
    (root / "current").symlink_to(f"releases/{OLD}")
    (root / "history.log").write_text(f"2026-01-01T00:00:00Z {OLD}\n")
    return root


def switch(root, release, *flags):
    return run_module("release_link", {"root": str(root), "release": release}, *flags)


@pytest.mark.every_core
def test_points_current_at_the_release_and_records_it_once(root):
    result = switch(root, NEW)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["previous"] == OLD
    assert os.readlink(root / "current") == f"releases/{NEW}"
    lines = (root / "history.log").read_text().splitlines()
    assert len(lines) == 2 and lines[-1].endswith(f"Z {NEW}")
    again = switch(root, NEW)
    assert again["changed"] is False and len((root / "history.log").read_text().splitlines()) == 2
    assert not (root / ".current.new").exists()


def test_a_first_release_makes_current_and_the_history(tmp_path):
    root = tmp_path / "app"
    (root / "releases" / NEW).mkdir(parents=True)
    result = switch(root, NEW)
    assert result["changed"] is True and result["previous"] == ""
    assert os.readlink(root / "current") == f"releases/{NEW}" and (root / "history.log").read_text().endswith(f" {NEW}\n")


@pytest.mark.every_core
def test_check_mode_and_refusals_change_nothing(root):
    assert switch(root, NEW, "--check")["changed"] is True
    assert os.readlink(root / "current") == f"releases/{OLD}"
    missing = switch(root, "c" * 12)
    assert missing["failed"] and "is not an installed release" in missing["msg"]
    (root / "releases" / ("d" * 12)).symlink_to("/etc")
    linked = switch(root, "d" * 12)
    assert linked["failed"] and "is not an installed release" in linked["msg"]
    bad = switch(root, "../../etc")
    assert bad["failed"] and "12 hex digits" in bad["msg"]
    assert os.readlink(root / "current") == f"releases/{OLD}" and len((root / "history.log").read_text().splitlines()) == 1
