"""Each role's defaults/main.yml and meta/argument_specs.yml describe the same variables.

A variable with a default must be documented in an entry point with that very default, and a
documented default must exist in defaults/main.yml: ansible-doc and the role then never disagree.
"""

from pathlib import Path

import pytest
import yaml

ROLES = sorted(path.name for path in (Path(__file__).parent.parent / "roles").iterdir() if path.is_dir())


def load(role, relative):
    path = Path(__file__).parent.parent / "roles" / role / relative
    return yaml.safe_load(path.read_text()) or {}


def documented(role):
    """{variable: spec} over every entry point of the role."""
    options = {}
    for entry_point in load(role, "meta/argument_specs.yml")["argument_specs"].values():
        options.update(entry_point.get("options", {}))
    return options


def test_every_role_is_found():
    assert {"balancer", "nginx", "postgresql", "supervisor", "uwsgi", "wsgi_app"} <= set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_documented_with_the_same_value(role):
    specs = documented(role)
    for name, value in load(role, "defaults/main.yml").items():
        assert name in specs, f"{role}: {name} has a default but no entry in meta/argument_specs.yml"
        assert "default" in specs[name], f"{role}: {name} is documented without its default"
        assert specs[name]["default"] == value, f"{role}: {name} defaults to {value!r}, documented as {specs[name]['default']!r}"


@pytest.mark.parametrize("role", ROLES)
def test_every_documented_default_exists(role):
    defaults = load(role, "defaults/main.yml")
    for name, spec in documented(role).items():
        if "default" in spec:
            assert name in defaults, f"{role}: {name} is documented with a default that defaults/main.yml lacks"
        else:
            assert spec.get("required"), f"{role}: {name} has neither a default nor required: true"


@pytest.mark.parametrize("role", ROLES)
def test_public_variables_carry_the_role_prefix(role):
    for name in load(role, "defaults/main.yml"):
        assert name.startswith(f"{role}_"), f"{role}: {name} should be named {role}_..."
