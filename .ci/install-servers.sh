#!/usr/bin/env bash
# Installs the three real FTP servers Ferry's interop tests run against, side by side, on Debian 12:
#   vsftpd     -> installed normally with apt (/usr/sbin/vsftpd)
#   proftpd    -> proftpd-core unpacked into /opt/ferry-ftp/proftpd   (usr/sbin/proftpd, usr/lib/proftpd)
#   pure-ftpd  -> pure-ftpd     unpacked into /opt/ferry-ftp/pure-ftpd (usr/sbin/pure-ftpd, usr/bin/pure-pw)
# proftpd and pure-ftpd conflict with vsftpd as packages (Conflicts: ftp-server), so they are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`; the shared libraries their binaries need are
# installed normally with apt. Also creates the local test user ferrytest / ferrytest-pw.
#
# Idempotent; must run as root. Environment overrides:
#   FERRY_FTP_PREFIX (default /opt/ferry-ftp), FERRY_FTP_DEB_CACHE (default /var/cache/ferry-ftp/debs)
set -euo pipefail

PREFIX="${FERRY_FTP_PREFIX:-/opt/ferry-ftp}"
CACHE="${FERRY_FTP_DEB_CACHE:-/var/cache/ferry-ftp/debs}"
TEST_USER=ferrytest
TEST_PASSWORD=ferrytest-pw
STAMP=/var/cache/ferry-ftp/apt-update.stamp

log() { printf '[install-servers] %s\n' "$*"; }
die() { printf '[install-servers] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
command -v apt-get >/dev/null || die "needs a Debian system (apt-get)"
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$CACHE" "$(dirname "$STAMP")"

# --- apt-get update, at most once an hour ------------------------------------------------------------
apt_update_if_stale() {
  if [ -f "$STAMP" ] && [ -n "$(find "$STAMP" -mmin -60 2>/dev/null)" ]; then
    log "apt-get update ran less than an hour ago; skipping"
    return
  fi
  log "apt-get update"
  apt-get update -q >/dev/null
  touch "$STAMP"
}
apt_update_if_stale

# --- vsftpd (a normal package) + openssl ---------------------------------------------------------
log "apt-get install vsftpd openssl"
apt-get install -y -q --no-install-recommends vsftpd openssl >/dev/null
# The package may have started a system vsftpd on port 21 (only where an init system runs); the tests
# do not need it, and it does not disturb them (they use their own ports). Leave it.
mkdir -p /var/run/vsftpd/empty
chmod 0755 /var/run/vsftpd/empty

# --- shared libraries the unpacked binaries need -----------------------------------------------------
# proftpd-core: libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 (+ libs usually present)
# pure-ftpd:    libsodium23 (+ libs usually present)
LIBS=(libacl1 libcap2 libcrypt1 libhiredis0.14 libidn2-0 libmemcached11 libmemcachedutil2 libncursesw6
      libpam0g libpcre2-8-0 libpcre2-posix3 libssl3 libtinfo6 zlib1g libsodium23)
log "apt-get install shared libraries: ${LIBS[*]}"
apt-get install -y -q --no-install-recommends "${LIBS[@]}" >/dev/null

# --- proftpd-core and pure-ftpd: download + unpack --------------------------------------------------
fetch_and_unpack() {  # $1 = package, $2 = target dir
  local pkg="$1" dir="$2" ver deb
  ver="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
  [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate version for $pkg (apt-get update failed?)"
  # Debian file names encode the epoch ':' as '%3a'
  deb="$(ls "$CACHE/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n1 || true)"
  if [ -z "$deb" ]; then
    log "apt-get download $pkg=$ver"
    # _apt cannot write into a root-only cache dir; download in a world-writable scratch dir
    local tmp; tmp="$(mktemp -d)"; chmod 0777 "$tmp"
    (cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || { rm -rf "$tmp"; die "apt-get download $pkg failed"; }
    mv "$tmp"/*.deb "$CACHE/"; rm -rf "$tmp"
    deb="$(ls "$CACHE/${pkg}_${ver/:/%3a}_"*.deb | head -n1)"
  fi
  local marker="$dir/.ferry-deb"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$(basename "$deb")" ]; then
    log "$pkg $ver already unpacked in $dir"
  else
    log "unpacking $(basename "$deb") into $dir"
    rm -rf "$dir"; mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    basename "$deb" > "$marker"
  fi
}
mkdir -p "$PREFIX"
fetch_and_unpack proftpd-core "$PREFIX/proftpd"
fetch_and_unpack pure-ftpd "$PREFIX/pure-ftpd"

# --- check that the unpacked binaries load ----------------------------------------------------------
check_libs() {  # $@ = ELF files
  local f missing
  for f in "$@"; do
    missing="$(ldd "$f" 2>&1 | awk '/not found/ {print $1}' || true)"
    [ -z "$missing" ] || die "$f misses shared libraries: $missing"
  done
}
check_libs "$PREFIX/proftpd/usr/sbin/proftpd" "$PREFIX/proftpd/usr/lib/proftpd/mod_digest.so" \
           "$PREFIX/pure-ftpd/usr/sbin/pure-ftpd" "$PREFIX/pure-ftpd/usr/bin/pure-pw"
PROFTPD_VERSION="$("$PREFIX/proftpd/usr/sbin/proftpd" -v 2>&1 | head -n1)"
"$PREFIX/proftpd/usr/sbin/proftpd" -l >/dev/null 2>&1 || die "proftpd -l failed"
PURE_VERSION="$("$PREFIX/pure-ftpd/usr/sbin/pure-ftpd" --help 2>&1 | head -n1)"
case "$PURE_VERSION" in pure-ftpd*) ;; *) die "pure-ftpd does not run: $PURE_VERSION";; esac

# --- the test user ------------------------------------------------------------------------------------
grep -qx /bin/bash /etc/shells || echo /bin/bash >> /etc/shells
if id "$TEST_USER" >/dev/null 2>&1; then
  log "user $TEST_USER exists"
else
  log "creating user $TEST_USER"
  useradd -M -d /tmp -s /bin/bash "$TEST_USER"
  echo "$TEST_USER:$TEST_PASSWORD" | chpasswd
fi
if [ -f /etc/ftpusers ] && grep -qx "$TEST_USER" /etc/ftpusers; then
  sed -i "/^${TEST_USER}\$/d" /etc/ftpusers
fi

# --- summary -----------------------------------------------------------------------------------------
log "installed:"
log "  vsftpd     $(dpkg-query -W -f='${Version}' vsftpd)  /usr/sbin/vsftpd"
log "  proftpd    $PROFTPD_VERSION  $PREFIX/proftpd/usr/sbin/proftpd (modules $PREFIX/proftpd/usr/lib/proftpd)"
log "  pure-ftpd  $PURE_VERSION  $PREFIX/pure-ftpd/usr/sbin/pure-ftpd"
log "  openssl    $(openssl version)"
log "  user       $TEST_USER (uid $(id -u "$TEST_USER")), password $TEST_PASSWORD"
