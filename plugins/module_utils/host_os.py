# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""What every module that first meets a host shares: which systems roost supports, read from
os-release(5), which Debian packages are missing, and which systemd services already run."""

from __future__ import annotations

import shlex

# The releases every Molecule scenario runs on; galaxy.yml and each role's meta/main.yml list the same.
SUPPORTED = {"debian": ("12", "13")}
OPT_IN = "roost_allow_untested_os"
OS_RELEASE = ("/etc/os-release", "/usr/lib/os-release")


def parse(text):
    """os-release(5) as a dict: KEY=value lines, values quoted as in a shell, comments skipped."""
    fields = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value]
        fields[key.strip()] = " ".join(words)
    return fields


def read():
    """The host's os-release fields; {} when it has none."""
    for path in OS_RELEASE:
        try:
            with open(path, encoding="utf-8") as handle:
                return parse(handle.read())
        except OSError:
            continue
    return {}


def describe(fields):
    """{id, version_id, name, supported} of an os-release."""
    system, version = fields.get("ID", ""), fields.get("VERSION_ID", "")
    return {
        "id": system,
        "version_id": version,
        "name": fields.get("PRETTY_NAME") or " ".join(part for part in (fields.get("NAME", ""), version) if part)
        or "an unknown system (no /etc/os-release)",
        "supported": version in SUPPORTED.get(system, ()),
    }


def runs(found):
    """'this host runs ...' of a host described by describe()."""
    return f"this host runs {found['name']} (ID={found['id'] or '?'}, VERSION_ID={found['version_id'] or '?'})"


def refusal(found):
    """Why a host described by describe() is refused, or "" when it is supported."""
    if found["supported"]:
        return ""
    supported = "; ".join(f"{system.capitalize()} {' and '.join(versions)}" for system, versions in SUPPORTED.items())
    return (f"{runs(found)}; roost.wsgi supports {supported} only. Nothing was changed. To try it anyway, at your "
            f"own risk, set {OPT_IN}: true")


def check(module, allow_untested):
    """The host's system, described; fails the module on an unsupported one unless allow_untested,
    which warns instead."""
    found = describe(read())
    why = refusal(found)
    if why and not allow_untested:
        module.fail_json(msg=why, os=found)
    if why:
        module.warn(f"{OPT_IN} is true: {runs(found)}, which is not tested with roost.wsgi")
    return found


def installed_versions(module, packages):
    """{package: version} of those of packages dpkg has installed, as dpkg writes the version."""
    if not packages:
        return {}
    # dpkg-query exits 1 when it knows one of them not at all: that one is missing, nothing failed.
    status = module.run_command(["dpkg-query", "--show",
                                 "--showformat=${db:Status-Status} ${Package} ${Version}\\n", *packages])[1]
    versions = {}
    for line in status.splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == "installed":
            versions[words[1]] = words[2]
    return versions


def missing_packages(module, packages, installed=None):
    """Those of packages dpkg does not have installed, in their order (installed: what
    installed_versions found, when the caller has it already)."""
    have = installed_versions(module, packages) if installed is None else installed
    return [package for package in packages if package not in have]


def ipv6_enabled():
    """Whether the kernel has IPv6 on (net.ipv6.conf.all.disable_ipv6 is 0)."""
    try:
        with open("/proc/sys/net/ipv6/conf/all/disable_ipv6", encoding="ascii") as handle:
            return handle.read().strip() == "0"
    except OSError:
        return False


def services_up(module, services):
    """Those of services systemd has enabled and running, in their order: a role starts (and enables)
    only the others. None of them on a host without systemctl."""
    systemctl = module.get_bin_path("systemctl") if services else None
    if not systemctl:
        return []
    # One line per unit, in the order asked, whatever the exit code (non-zero when any is not).
    enabled = module.run_command([systemctl, "is-enabled", *services])[1].splitlines()
    active = module.run_command([systemctl, "is-active", *services])[1].splitlines()
    if len(enabled) != len(services) or len(active) != len(services):
        return []
    return [name for name, is_enabled, is_active in zip(services, enabled, active)
            if is_enabled.strip() == "enabled" and is_active.strip() == "active"]
