"""The filters the roles fill in and name things with: roost.wsgi.with_defaults and roost.wsgi.uwsgi_app_paths;
and roost.wsgi.deploy_summary, the lines a deploy ends with."""

from ansible_collections.roost.wsgi.plugins.filter.deploy_summary import deploy_summary
from ansible_collections.roost.wsgi.plugins.filter.uwsgi_app_paths import app_paths
from ansible_collections.roost.wsgi.plugins.filter.with_defaults import with_defaults


def test_each_entry_is_laid_over_the_defaults_and_wins():
    entries = [{"name": "a"}, {"name": "b", "processes": 4, "preload": ["flask"]}]
    filled = with_defaults(entries, {"state": "present", "processes": 2, "preload": []})
    assert filled == [{"state": "present", "processes": 2, "preload": [], "name": "a"},
                      {"state": "present", "processes": 4, "preload": ["flask"], "name": "b"}]
    assert entries[0] == {"name": "a"}  # the input is left as it was
    assert with_defaults(["not a mapping"], {"state": "present"}) == ["not a mapping"]


def test_every_file_of_an_app_is_named_from_the_two_directories():
    paths = app_paths([{"name": "perch"}, {"name": "wren", "state": "absent"}, {"module": "no name"}, "junk"],
                      "/run/roost-uwsgi", "/etc/roost-uwsgi")
    assert sorted(paths) == ["perch", "wren"]
    assert paths["perch"] == {"ini": "/etc/roost-uwsgi/perch.ini", "tmpfiles": "/etc/tmpfiles.d/uwsgi-perch.conf",
                              "run_dir": "/run/roost-uwsgi/perch", "socket": "/run/roost-uwsgi/perch/uwsgi.sock",
                              "stats": "/run/roost-uwsgi/perch/stats.sock",
                              "master_fifo": "/run/roost-uwsgi/perch/master.fifo"}


def test_a_deploy_summary_says_what_went_live_where_what_the_gate_saw_and_what_changed():
    assert deploy_summary("perch", "bbb", before="aaa", urls=["https://perch.example/"], seconds=38.6,
                          health={"status": 200, "release": "bbb", "elapsed": 1.26},
                          changed={"code": True, "configuration": False, "nginx": True, "jobs": True}) == [
        "perch: release bbb live (before it aaa), deployed in 38 s",
        "  at       https://perch.example/",
        "  health   200 from bbb after 1.3 s",
        "  changed  code, nginx site, jobs",
    ]
    # A rerun with nothing to do: no gate ran, nothing changed.
    assert deploy_summary("perch", "bbb", seconds=6, changed={"code": False}) == [
        "perch: release bbb live, deployed in 6 s", "  health   not asked: nothing went live", "  changed  nothing"]
