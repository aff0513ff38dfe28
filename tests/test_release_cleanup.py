"""roost.wsgi.release_cleanup, run by ansible on this controller against an app root in a temporary directory."""

import os

import pytest
from conftest import run_module

# Oldest first; each installed a minute after the one before.
RELEASES = ["a" * 12, "b" * 12, "c" * 12, "d" * 12, "e" * 12, "f" * 12]


@pytest.fixture
def root(tmp_path):
    """Six releases, each with a database backup; f is live, history says a then f went live."""
    root = tmp_path / "app"
    (root / "shared" / "backups").mkdir(parents=True)
    for minute, release in enumerate(RELEASES):
        path = root / "releases" / release
        (path / "venv").mkdir(parents=True)
        os.utime(path, (1_700_000_000 + 60 * minute,) * 2)
        (root / "shared" / "backups" / f"app.sqlite.before-{release}").write_text("backup")
    (root / "current").symlink_to(f"releases/{RELEASES[-1]}")
    (root / "history.log").write_text(f"2026-01-01T00:00:00Z {RELEASES[0]}\n2026-01-02T00:00:00Z {RELEASES[-1]}\n")
    return root


def cleanup(root, *flags, **args):
    return run_module("release_cleanup", {"root": str(root), "keep": 3,
                                          "backup_prefix": f"{root}/shared/backups/app.sqlite.before-", **args}, *flags)


def left(root):
    return sorted(os.listdir(root / "releases")), sorted(os.listdir(root / "shared" / "backups"))


@pytest.mark.every_core
def test_keeps_the_newest_and_the_rollback_target_and_removes_the_rest_with_their_backups(root):
    result = cleanup(root)
    assert not result.get("failed"), result.get("msg")
    # f, e, d are the newest three; a is where a rollback goes (live before f) however old it is.
    assert result["changed"] is True and sorted(result["removed"]) == [RELEASES[1], RELEASES[2]]
    kept = [RELEASES[0], RELEASES[3], RELEASES[4], RELEASES[5]]
    assert left(root) == (kept, [f"app.sqlite.before-{release}" for release in kept])
    again = cleanup(root)
    assert again["changed"] is False and again["removed"] == []


def test_the_live_release_is_kept_even_when_history_and_age_would_drop_it(root):
    (root / "current").unlink()
    (root / "current").symlink_to(f"releases/{RELEASES[1]}")
    result = cleanup(root)
    assert RELEASES[1] not in result["removed"] and RELEASES[1] in left(root)[0]


@pytest.mark.every_core
def test_check_mode_removes_nothing(root):
    before = left(root)
    result = cleanup(root, "--check")
    assert result["changed"] is True and len(result["removed"]) == 2
    assert left(root) == before


def test_without_history_nothing_is_removed(root):
    (root / "history.log").unlink()
    before = left(root)
    result = cleanup(root)
    assert result.get("failed") and "history.log cannot be read" in result["msg"]
    assert left(root) == before


def test_keep_below_two_is_refused(root):
    result = cleanup(root, keep=1)
    assert result.get("failed") and "keep must be at least 2" in result["msg"]


def test_without_backups_only_releases_go(root):
    result = cleanup(root, backup_prefix="")
    assert len(result["removed"]) == 2 and len(left(root)[1]) == len(RELEASES)
