# Shared by the scripts in scripts/: tools in .venv, a running Docker engine, the local VPS images.
# Every function is idempotent: on a machine that already has what it needs it does nothing.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$ROOT/.venv"
STATE="$ROOT/.roost"                 # ignored: keys, generated passwords, logs, benchmark output
IMAGE_REPO=${ROOST_IMAGE_REPO:-roost-wsgi/debian}
export PATH="$VENV/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install Debian packages that are not installed yet; `apt-get update` runs only when something is missing.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ansible-core >= 2.20 wants Python >= 3.12 on the controller: take the newest 3.12/3.13 there is.
controller_python() {
    local candidate
    for candidate in \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3 \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 \
        "$(command -v python3.12 || true)" "$(command -v python3.13 || true)"; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    die "no Python >= 3.12 found; install one (e.g. 'pyenv install 3.12') and run this again"
}

# Tools pinned in requirements-dev.txt, reinstalled only when that file (or the interpreter) changes.
ensure_venv() {
    local stamp="$VENV/.requirements.sha256" want
    want=$(cat "$ROOT/requirements-dev.txt" "$ROOT/sample_app/pyproject.toml" | sha256sum | cut -d' ' -f1)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "Installing tools into .venv"
    [ -x "$VENV/bin/python" ] || "$(controller_python)" -m venv "$VENV"
    # uv (pinned in requirements-dev.txt) installs the rest: 17 s on an empty cache, where pip took 115.
    "$VENV/bin/python" -m pip install -q "$(grep -E '^uv==' "$ROOT/requirements-dev.txt")"
    venv_install "$VENV" -r "$ROOT/requirements-dev.txt"
    venv_install "$VENV" -e "$ROOT/sample_app[test]"
    echo "$want" >"$stamp"
}

# venv_install VENV ARGS...: `pip install ARGS` into the virtualenv VENV, done by .venv's uv (ensure_venv
# installs it first), for .venv itself and for the virtualenvs made later (ansible-cores, galaxy-importer).
venv_install() {
    local venv=$1
    shift
    "$VENV/bin/uv" pip install --quiet --python "$venv/bin/python" "$@"
}

start_dockerd() {
    if [ -d /run/systemd/system ]; then
        as_root systemctl start docker
    else
        mkdir -p "$STATE"
        as_root sh -c "nohup dockerd >'$STATE/dockerd.log' 2>&1 &"
    fi
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return 0
        sleep 1
    done
    die "the Docker engine did not start; see $STATE/dockerd.log"
}

ensure_docker() {
    docker info >/dev/null 2>&1 && return 0
    command -v dockerd >/dev/null 2>&1 || apt_install docker.io
    log "Starting the Docker engine"
    start_dockerd
}

image_name() { echo "$IMAGE_REPO:$1"; }
# The same VPS with the stack's Debian packages already installed (the Dockerfile's `stack` stage).
stack_image_name() { echo "$IMAGE_REPO-stack:$1"; }

# The "VPS" images are built from Debian's mirror, never pulled: no registry is needed.
# debootstrap makes IMAGE_REPO-rootfs:VERSION once; scripts/images/ (Dockerfile, packages) is the
# recipe on top of it, and an image whose recipe label differs from those files is rebuilt.
image_recipe() { cat "$ROOT"/scripts/images/* | sha256sum | cut -c1-16; }

build_rootfs() {
    local version=$1 suite mirror rootfs
    case "$version" in
        12) suite=bookworm ;;
        13) suite=trixie ;;
        *) die "no image recipe for Debian $version (known: 12, 13)" ;;
    esac
    apt_install debootstrap
    mirror=${ROOST_DEBIAN_MIRROR:-$(host_debian_mirror)}
    rootfs=$(mktemp -d /var/tmp/roost-rootfs-"$suite".XXXXXX)
    # shellcheck disable=SC2064  # expand now: the trap must remove this very directory
    trap "as_root rm -rf '$rootfs'" RETURN
    log "Building the Debian $version root file system (debootstrap $suite from $mirror)"
    as_root debootstrap --variant=minbase --include="$(paste -sd, "$ROOT/scripts/images/packages")" \
        "$suite" "$rootfs" "$mirror" >"$STATE/debootstrap-$suite.log" 2>&1 \
        || die "debootstrap failed; see $STATE/debootstrap-$suite.log"
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
        "$mirror" "$suite" "$mirror" "$suite" "$mirror" "$suite" | as_root tee "$rootfs/etc/apt/sources.list" >/dev/null
    as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb
    as_root tar -C "$rootfs" --numeric-owner -c . | docker import - "$IMAGE_REPO-rootfs:$version" >/dev/null
}

build_image() {
    local version=$1 base="$IMAGE_REPO-rootfs:$1"
    docker image inspect "$base" >/dev/null 2>&1 || build_rootfs "$version"
    log "Building $(image_name "$version") and $(stack_image_name "$version")"
    docker build -q --build-arg BASE="$base" --build-arg RECIPE="$(image_recipe)" --target vps \
        -t "$(image_name "$version")" "$ROOT/scripts/images" \
        >"$STATE/docker-build-$version.log" 2>&1 || die "docker build failed; see $STATE/docker-build-$version.log"
    docker build -q --build-arg BASE="$base" --build-arg RECIPE="$(image_recipe)" --target stack \
        -t "$(stack_image_name "$version")" "$ROOT/scripts/images" \
        >>"$STATE/docker-build-$version.log" 2>&1 || die "docker build failed; see $STATE/docker-build-$version.log"
}

host_debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
    [ -n "$uri" ] || uri=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    echo "${uri:-http://deb.debian.org/debian}"
}

# image_current IMAGE: it exists and was built from the recipe as it is now.
image_current() {
    [ "$(docker image inspect -f '{{ index .Config.Labels "roost.recipe" }}' "$1" 2>/dev/null || true)" = "$(image_recipe)" ]
}

# ensure_images 12 13: build each missing image. A user can point the scenarios at registry images
# instead (ROOST_IMAGE_DEBIAN12=... and ROOST_IMAGE_DEBIAN12_STACK=..., see molecule/README.md); those
# are not built here.
ensure_images() {
    local version pid builds=() failed=0
    mkdir -p "$STATE"
    for version in "$@"; do
        [ -n "$(printenv "ROOST_IMAGE_DEBIAN$version")" ] && [ -n "$(printenv "ROOST_IMAGE_DEBIAN${version}_STACK")" ] &&
            continue
        image_current "$(image_name "$version")" && image_current "$(stack_image_name "$version")" && continue
        # Installed once here, so the builds below do not both run apt.
        docker image inspect "$IMAGE_REPO-rootfs:$version" >/dev/null 2>&1 || apt_install debootstrap
        # Side by side: debootstrap mostly waits on the mirror.
        build_image "$version" &
        builds+=($!)
    done
    for pid in "${builds[@]}"; do
        wait "$pid" || failed=1
    done
    [ "$failed" -eq 0 ] || die "an image did not build (its log is named above)"
}

# start_vps NAME SSH_PORT HTTP_PORT: a container that behaves like a fresh VPS as a provider hands it
# over (systemd, sshd, a `deploy` user with sudo that logs in with the key in .roost/demo/), its SSH
# and HTTP published on 127.0.0.1 only. Starts it if it exists but is stopped; waits until SSH works.
start_vps() {
    local name=$1 ssh_port=$2 http_port=$3 key="$STATE/demo/id_ed25519" state=missing
    apt_install openssh-client
    mkdir -p "$STATE/demo"
    [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C roost-demo -f "$key"
    if docker container inspect "$name" >/dev/null 2>&1; then
        state=$(docker container inspect -f '{{.State.Status}}' "$name")
    fi
    case "$state" in
        running) ;;
        missing)
            log "Starting the VPS container $name (ssh on 127.0.0.1:$ssh_port, http on 127.0.0.1:$http_port)"
            docker run -d --name "$name" --hostname "$name" \
                --cap-add SYS_ADMIN --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
                --tmpfs /run --tmpfs /run/lock \
                -p "127.0.0.1:$ssh_port:22" -p "127.0.0.1:$http_port:80" \
                "${ROOST_IMAGE_DEBIAN12:-$(image_name 12)}" >/dev/null ;;
        *) docker start "$name" >/dev/null ;;
    esac
    docker exec "$name" systemctl is-system-running --wait >/dev/null 2>&1 || true
    docker exec -i "$name" sh -eu -c '
        id deploy >/dev/null 2>&1 || useradd --create-home --shell /bin/bash deploy
        install -d -m 0700 -o deploy -g deploy /home/deploy/.ssh
        cat > /home/deploy/.ssh/authorized_keys
        chown deploy:deploy /home/deploy/.ssh/authorized_keys
        chmod 0600 /home/deploy/.ssh/authorized_keys
        echo "deploy ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/deploy
        chmod 0440 /etc/sudoers.d/deploy' <"$key.pub"
    for _ in $(seq 1 30); do
        ssh -q -i "$key" -p "$ssh_port" -o BatchMode=yes -o StrictHostKeyChecking=no \
            -o UserKnownHostsFile=/dev/null deploy@127.0.0.1 true && return 0
        sleep 1
    done
    die "no SSH to $name on 127.0.0.1:$ssh_port after 30 s"
}
