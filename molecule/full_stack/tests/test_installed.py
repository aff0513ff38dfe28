"""converge ran the collection installed from its Galaxy artifact (.roost/galaxy/collections), not the
checkout: converge.yml's first play stops unless `ansible-galaxy collection list` finds that copy first."""

import json
import os

import yaml

PROJECT = os.environ["MOLECULE_PROJECT_DIRECTORY"]
INSTALLED = os.path.join(PROJECT, ".roost", "galaxy", "collections", "ansible_collections", "roost", "wsgi")


def test_the_installed_collection_is_the_version_in_galaxy_yml():
    with open(os.path.join(INSTALLED, "MANIFEST.json")) as manifest, open(os.path.join(PROJECT, "galaxy.yml")) as galaxy:
        assert json.load(manifest)["collection_info"]["version"] == yaml.safe_load(galaxy)["version"]
    assert not os.path.islink(INSTALLED)  # a copy, not the checkout's own symlink


def test_the_collection_the_tests_run_is_the_installed_one():
    assert os.environ["ANSIBLE_COLLECTIONS_PATH"].split(":")[0] == os.path.join(PROJECT, ".roost", "galaxy", "collections")
