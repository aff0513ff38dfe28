"""A host converged by the collection installed from its Galaxy artifact serves perch through nginx."""

import json
import os

import yaml
from conftest import http_get, supervised_pid

PROJECT = os.environ["MOLECULE_PROJECT_DIRECTORY"]
INSTALLED = os.path.join(PROJECT, ".roost", "galaxy", "collections", "ansible_collections", "roost", "wsgi")


def test_the_installed_collection_is_the_version_in_galaxy_yml():
    with open(os.path.join(INSTALLED, "MANIFEST.json")) as manifest, open(os.path.join(PROJECT, "galaxy.yml")) as galaxy:
        assert json.load(manifest)["collection_info"]["version"] == yaml.safe_load(galaxy)["version"]
    assert not os.path.islink(INSTALLED)  # a copy, not the checkout's own symlink


def test_perch_is_served_through_nginx(host):
    response = http_get(host, "/")
    assert response.status == 200
    assert "Welcome to perch" in response.body
    assert response.headers["x-perch-release"] == host.file("/srv/perch/current").linked_to.rsplit("/", 1)[-1]


def test_uwsgi_runs_under_supervisord(host):
    assert supervised_pid(host, "perch") > 0
    assert host.file("/run/uwsgi/perch/uwsgi.sock").is_socket
