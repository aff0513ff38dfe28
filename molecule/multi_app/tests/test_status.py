"""playbooks/status.yml on a host with three apps: each one's release, health, workers, programs and
jobs, read only; an app whose uWSGI is stopped reads as failing."""

from conftest import live_release, recap_changes, run_playbook


def test_status_shows_each_apps_release_health_workers_programs_and_jobs_and_changes_nothing(host):
    run = run_playbook("status", "--check")
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(recap_changes(run.stdout).values()) == {0}
    for app in ("perch", "wren", "mysite"):
        assert f"{app}: release {live_release(host, app)}, live for " in run.stdout
        assert f"  health   OK: http://{app}.localhost/healthz answered 200" in run.stdout
    assert "  uwsgi    master " in run.stdout and " workers (" in run.stdout
    assert "  program  mysite-worker RUNNING pid " in run.stdout
    # mysite's job runs every 10 s: it has run by now, and runs again.
    assert "  job      roost-mysite-tick: last run " in run.stdout and " success, next " in run.stdout
    # The copies taken before mysite's migrations, once a deploy found a database to copy.
    copies = host.run("ls /srv/mysite/shared/backups").stdout.split()
    assert ("  backup   newest " if copies else "  backup   none") in run.stdout.split("perch: release")[0]


def test_an_app_whose_uwsgi_is_stopped_reads_as_failing_and_an_unknown_one_is_refused(host):
    host.run_expect([0], "supervisorctl stop wren")
    try:
        run = run_playbook("status", "-e", "app=wren")
    finally:
        host.run_expect([0], "supervisorctl start wren")
    assert run.returncode == 0, run.stdout[-3000:]
    assert "  health   FAILING: http://wren.localhost/healthz answered 502" in run.stdout
    assert "  program  wren STOPPED " in run.stdout and "perch: release" not in run.stdout
    unknown = run_playbook("status", "-e", "app=blog")
    assert unknown.returncode != 0
    said = unknown.stdout + unknown.stderr
    assert "no app named blog on this host (the apps roost.wsgi deployed here: mysite, perch, wren)" in said
