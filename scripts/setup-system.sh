#!/usr/bin/env bash
# Installs the Debian packages the console's demo and tests run against (a real slapd, ssh,
# qemu-img, a browser for the end-to-end tests) and caches the ISC DHCP LDAP schema.
#
# Idempotent: prints one line when everything is already there. As root it installs what is
# missing; otherwise it names the missing packages and exits 1. It never leaves daemons running:
# Debian starts slapd/sshd on installation, which would occupy ports and outlive the tests.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dhcp_schema="$repo_root/.cache/schema/dhcp.schema"
dhcp_package="isc-dhcp-server-ldap"
dhcp_schema_in_package="/usr/share/doc/isc-dhcp-server-ldap/dhcp.schema.gz"

# Everything temporary is listed here and removed on any exit, including a failing one.
cleanup_paths=()
cleanup() { if [[ "${#cleanup_paths[@]}" -gt 0 ]]; then rm -rf "${cleanup_paths[@]}"; fi; }
trap cleanup EXIT

say() { printf 'setup-system: %s\n' "$*"; }
die() { printf 'setup-system: %s\n' "$*" >&2; exit 1; }

# "<package> <path that proves it is installed>"; paths, not `command -v`, because /usr/sbin is
# often not on a non-root PATH.
requirements=(
  "slapd /usr/sbin/slapd"
  "slapd /usr/sbin/slapadd"
  "ldap-utils /usr/bin/ldapsearch"
  "openssh-server /usr/sbin/sshd"
  "openssh-client /usr/bin/ssh-keygen"
  "qemu-utils /usr/bin/qemu-img"
  "chromium /usr/bin/chromium"
  "fonts-dejavu-core /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

missing=()
for requirement in "${requirements[@]}"; do
  package="${requirement%% *}"
  path="${requirement#* }"
  if [[ ! -e "$path" ]] && [[ " ${missing[*]-} " != *" $package "* ]]; then
    missing+=("$package")
  fi
done

is_root() { [[ "$(id -u)" -eq 0 ]]; }

apt_updated=0
apt_update_once() {
  if [[ "$apt_updated" -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=1
  fi
}

install_packages() {
  local policy=/usr/sbin/policy-rc.d
  # invoke-rc.d / deb-systemd-invoke ask this script before starting a service; 101 = "not now".
  # An existing policy belongs to the machine's owner and is left alone.
  if [[ ! -e "$policy" ]]; then
    cleanup_paths+=("$policy")
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

installed_now=""
if [[ "${#missing[@]}" -gt 0 ]]; then
  if ! is_root; then
    die "missing Debian packages: ${missing[*]}
  install them with:  sudo apt-get install --no-install-recommends ${missing[*]}
  (or run this script as root)"
  fi
  say "installing ${missing[*]}"
  install_packages "${missing[@]}"
  installed_now="installed ${missing[*]}; "
fi

# The DHCP schema only ships inside the DHCP server's LDAP package; unpack it from the .deb
# instead of installing a DHCP server.
fetch_dhcp_schema() {
  local work
  work="$(mktemp -d)"
  cleanup_paths+=("$work")
  local source_gz="$dhcp_schema_in_package"
  if [[ ! -s "$source_gz" ]]; then
    command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
      die "cannot fetch the DHCP schema: apt-get and dpkg are needed (Debian package $dhcp_package)"
    # As root, apt downloads as the _apt user, which cannot write into a private temp folder.
    local sandbox=()
    if is_root; then sandbox=(-o APT::Sandbox::User=root); fi
    if ! (cd "$work" && apt-get "${sandbox[@]}" -qq download "$dhcp_package" >/dev/null 2>&1); then
      # A fresh container has no package lists yet.
      is_root || die "cannot download Debian package $dhcp_package (try: sudo apt-get update), needed for $dhcp_schema"
      apt_update_once >/dev/null
      (cd "$work" && apt-get "${sandbox[@]}" -qq download "$dhcp_package" >/dev/null) ||
        die "cannot download Debian package $dhcp_package, needed for $dhcp_schema"
    fi
    local deb
    deb="$(find "$work" -maxdepth 1 -name "${dhcp_package}_*.deb" | head -n 1)"
    [[ -n "$deb" ]] || die "apt-get download produced no .deb for $dhcp_package"
    dpkg -x "$deb" "$work/root"
    source_gz="$work/root$dhcp_schema_in_package"
    [[ -s "$source_gz" ]] || die "$dhcp_package no longer contains $dhcp_schema_in_package"
  fi
  mkdir -p "$(dirname "$dhcp_schema")"
  gunzip -c "$source_gz" >"$dhcp_schema.partial"
  mv "$dhcp_schema.partial" "$dhcp_schema"
}

schema_note="DHCP schema cached"
if [[ ! -s "$dhcp_schema" ]]; then
  fetch_dhcp_schema
  schema_note="DHCP schema fetched into ${dhcp_schema#"$repo_root"/}"
fi

say "${installed_now}system packages present; $schema_note"
