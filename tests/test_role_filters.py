"""The filters the roles fill in and name things with: roost.wsgi.with_defaults and roost.wsgi.uwsgi_app_paths."""

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
