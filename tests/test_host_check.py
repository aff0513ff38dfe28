"""The supported-system check every role starts with (module_utils/host_os.py and roost.wsgi.host_check)."""

import subprocess

import pytest
from ansible_collections.roost.wsgi.plugins.module_utils import host_os
from conftest import ROOT, run_module

# What Ansible itself makes of the collection: on every ansible-core it claims (pytest.ini).
pytestmark = pytest.mark.every_core

# As the distributions ship them (trimmed).
OS_RELEASES = {
    "debian12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    "debian13": 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n',
    "debian11": 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nID=debian\n',
    "sid": 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian\n',
    "ubuntu": ('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n'
               'ID_LIKE=debian\n# a comment\n'),
    "rhel": 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\nID="rhel"\nID_LIKE="fedora"\n',
}


class Module:
    """What check() needs of an AnsibleModule: fail_json ends the module, warn is remembered."""

    class Failed(Exception):
        pass

    def __init__(self):
        self.warnings = []

    def fail_json(self, msg, **result):
        raise self.Failed(msg)

    def warn(self, text):
        self.warnings.append(text)


@pytest.mark.parametrize("name", ["debian12", "debian13"])
def test_the_tested_releases_are_supported(name):
    found = host_os.describe(host_os.parse(OS_RELEASES[name]))
    assert found["supported"] and host_os.refusal(found) == ""


@pytest.mark.parametrize("name, says", [
    ("debian11", "Debian GNU/Linux 11 (bullseye) (ID=debian, VERSION_ID=11)"),
    ("sid", "Debian GNU/Linux trixie/sid (ID=debian, VERSION_ID=?)"),
    ("ubuntu", "Ubuntu 24.04.1 LTS (ID=ubuntu, VERSION_ID=24.04)"),
    ("rhel", "Red Hat Enterprise Linux 9.4 (ID=rhel, VERSION_ID=9.4)"),
    (None, "an unknown system (no /etc/os-release) (ID=?, VERSION_ID=?)"),
])
def test_any_other_system_is_refused_naming_it_the_supported_ones_and_the_opt_in(name, says):
    found = host_os.describe(host_os.parse(OS_RELEASES[name]) if name else {})
    why = host_os.refusal(found)
    assert f"this host runs {says}; roost.wsgi supports Debian 12 and 13 only" in why
    assert "Nothing was changed" in why and why.endswith("set roost_allow_untested_os: true")


def test_check_fails_unless_the_user_opted_in_and_then_warns(tmp_path, monkeypatch):
    release = tmp_path / "os-release"
    release.write_text(OS_RELEASES["ubuntu"])
    monkeypatch.setattr(host_os, "OS_RELEASE", (str(tmp_path / "missing"), str(release)))
    with pytest.raises(Module.Failed, match="Ubuntu 24.04.1 LTS"):
        host_os.check(Module(), allow_untested=False)
    module = Module()
    assert host_os.check(module, allow_untested=True)["id"] == "ubuntu"
    assert module.warnings == ["roost_allow_untested_os is true: this host runs Ubuntu 24.04.1 LTS "
                               "(ID=ubuntu, VERSION_ID=24.04), which is not tested with roost.wsgi"]


class Systemctl:
    """What services_up() needs of an AnsibleModule, with systemctl's answers given (None: no systemctl)."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def get_bin_path(self, name):
        return None if self.answers is None else f"/usr/bin/{name}"

    def run_command(self, argv):
        self.asked.append(argv)
        return 0, self.answers[argv[1]], ""


def test_services_up_are_those_both_enabled_and_active_asked_in_one_call_each():
    module = Systemctl({"is-enabled": "enabled\nenabled\ndisabled\nstatic\n",
                        "is-active": "active\ninactive\nactive\nactive\n"})
    assert host_os.services_up(module, ["nginx", "supervisor", "cron", "ssh"]) == ["nginx"]
    assert module.asked == [["/usr/bin/systemctl", "is-enabled", "nginx", "supervisor", "cron", "ssh"],
                            ["/usr/bin/systemctl", "is-active", "nginx", "supervisor", "cron", "ssh"]]


@pytest.mark.parametrize("answers", [
    None,  # no systemctl
    {"is-enabled": "", "is-active": ""},  # not booted with systemd: an error, no line per unit
    {"is-enabled": "enabled\n", "is-active": "active\nactive\n"},  # a unit systemd does not know
])
def test_no_service_counts_as_up_when_systemd_cannot_say(answers):
    assert host_os.services_up(Systemctl(answers), ["nginx", "supervisor"]) == []


def test_no_service_asked_is_no_call():
    module = Systemctl({})
    assert host_os.services_up(module, []) == [] and module.asked == []


class Dpkg:
    """What installed_versions() needs of an AnsibleModule: dpkg-query's output given."""

    def __init__(self, out):
        self.out, self.asked = out, []

    def run_command(self, argv):
        self.asked.append(argv)
        return 1, self.out, "dpkg-query: no packages found matching roost-no-such-package\n"


def test_installed_versions_are_dpkgs_and_the_rest_is_missing_in_one_call():
    # A package removed but not purged ("config-files") is not installed.
    module = Dpkg("installed nginx 1.22.1-9+deb12u2\nconfig-files supervisor 4.2.5-1\ninstalled uwsgi 2:2.0.21-5.1\n")
    versions = host_os.installed_versions(module, ["nginx", "supervisor", "uwsgi", "roost-no-such-package"])
    assert versions == {"nginx": "1.22.1-9+deb12u2", "uwsgi": "2:2.0.21-5.1"}
    assert host_os.missing_packages(module, ["nginx", "supervisor", "uwsgi", "roost-no-such-package"],
                                    versions) == ["supervisor", "roost-no-such-package"]
    assert len(module.asked) == 1 and module.asked[0][:2] == ["dpkg-query", "--show"]
    assert host_os.installed_versions(module, []) == {} and len(module.asked) == 1


def test_the_module_on_this_debian_controller_reports_missing_packages_and_sets_the_fact():
    result = run_module("host_check", {"packages": ["dpkg", "roost-no-such-package"], "services": ["roost-no-such-service"]})
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    assert result["missing_packages"] == ["roost-no-such-package"]
    dpkg = subprocess.run(["dpkg-query", "--show", "--showformat=${Version}", "dpkg"], capture_output=True, text=True,
                          check=True).stdout
    assert result["package_versions"] == {"dpkg": dpkg}
    with open("/proc/sys/net/ipv6/conf/all/disable_ipv6", encoding="ascii") as handle:
        assert result["ipv6"] is (handle.read().strip() == "0")
    assert result["services_up"] == []
    assert result["os"]["id"] == "debian" and result["os"]["supported"] is True
    assert result["ansible_facts"]["roost_host_os"] == result["os"]


def test_galaxy_and_every_role_list_exactly_the_supported_releases():
    import yaml

    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert "debian" in galaxy["tags"] and galaxy["description"].endswith("Supports Debian 12 and 13.")
    assert host_os.SUPPORTED == {"debian": ("12", "13")}
    for meta in sorted(ROOT.glob("roles/*/meta/main.yml")):
        platforms = yaml.safe_load(meta.read_text())["galaxy_info"]["platforms"]
        assert platforms == [{"name": "Debian", "versions": ["bookworm", "trixie"]}], meta
