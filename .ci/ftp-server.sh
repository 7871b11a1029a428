#!/usr/bin/env bash
# Runs one of the real FTP servers in the foreground on 127.0.0.1, for shell scripts and manual tests
# (the Java fixture is dev.ferry.testing.ExternalFtpServer). Needs root and .ci/install-servers.sh.
#   .ci/ftp-server.sh vsftpd|proftpd|pure-ftpd PORT PASV_MIN PASV_MAX ROOT_DIR [WORK_DIR]
# Login: ferrytest / ferrytest-pw; ROOT_DIR is served as "/" (created and chowned to ferrytest).
# Config and logs go to WORK_DIR (default: a new temp dir, printed). Stop with Ctrl-C / SIGTERM; the
# server runs in its own session (setsid), which is killed as a whole on exit.
# Optional environment (used by bench/): FERRY_FTP_RATE=BYTES_PER_S limits every connection (vsftpd
# local_max_rate; proftpd TransferRate RETR,STOR in KiB/s; pure-ftpd -t/-T in KiB/s); FERRY_FTP_EXTRA holds
# extra config lines (vsftpd, proftpd) or extra arguments (pure-ftpd), appended as given.
set -euo pipefail
[ $# -ge 5 ] || { sed -n '2,8p' "$0"; exit 2; }
NAME=$1 PORT=$2 PMIN=$3 PMAX=$4 ROOT=$(realpath -m "$5")
WORK=${6:-$(mktemp -d /tmp/ferry-ftp-sh.XXXXXX)}
PREFIX=${FERRY_FTP_PREFIX:-/opt/ferry-ftp}
mkdir -p "$ROOT" "$WORK"; chmod 755 "$WORK"; chown ferrytest:"$(id -gn ferrytest)" "$ROOT"
echo "[ftp-server] $NAME on 127.0.0.1:$PORT passive $PMIN-$PMAX root $ROOT work $WORK" >&2
case "$NAME" in
  vsftpd)
    cat > "$WORK/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$PORT
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
local_root=$ROOT
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
pasv_address=127.0.0.1
pasv_min_port=$PMIN
pasv_max_port=$PMAX
seccomp_sandbox=NO
utf8_filesystem=YES
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$WORK/vsftpd.log
CONF
    # With sendfile (the default) vsftpd's limiter lets downloads run ahead of the rate: 32 MiB at 4 MiB/s took
    # 5.5 s here (kernel 6.18), 8.2 s without it. Uploads never use sendfile.
    [ -z "${FERRY_FTP_RATE:-}" ] || printf 'local_max_rate=%s\nuse_sendfile=NO\n' "$FERRY_FTP_RATE" >> "$WORK/vsftpd.conf"
    [ -z "${FERRY_FTP_EXTRA:-}" ] || printf '%s\n' "$FERRY_FTP_EXTRA" >> "$WORK/vsftpd.conf"
    CMD=(/usr/sbin/vsftpd "$WORK/vsftpd.conf") ;;
  proftpd)
    cat > "$WORK/proftpd.conf" <<CONF
ServerName "ferry proftpd"
ServerType standalone
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
Port $PORT
PassivePorts $PMIN $PMAX
User nobody
Group nogroup
PidFile $WORK/proftpd.pid
ScoreboardFile $WORK/proftpd.scoreboard
DelayTable none
WtmpLog off
UseReverseDNS off
RequireValidShell off
AuthOrder mod_auth_unix.c
SystemLog $WORK/proftpd.log
ModulePath $PREFIX/proftpd/usr/lib/proftpd
ModuleControlsACLs insmod,rmmod allow user root
LoadModule mod_digest.c
DigestEngine on
DefaultRoot $ROOT
Umask 022
AllowOverwrite on
AllowStoreRestart on
AllowRetrieveRestart on
CONF
    [ -z "${FERRY_FTP_RATE:-}" ] || echo "TransferRate RETR,STOR $(( FERRY_FTP_RATE / 1024 ))" >> "$WORK/proftpd.conf"
    [ -z "${FERRY_FTP_EXTRA:-}" ] || printf '%s\n' "$FERRY_FTP_EXTRA" >> "$WORK/proftpd.conf"
    CMD=("$PREFIX/proftpd/usr/sbin/proftpd" -n -c "$WORK/proftpd.conf") ;;
  pure-ftpd)
    rm -f "$WORK/pureftpd.passwd" "$WORK/pureftpd.pdb"
    printf 'ferrytest-pw\nferrytest-pw\n' | "$PREFIX/pure-ftpd/usr/bin/pure-pw" useradd ferrytest -u ferrytest \
      -g "$(id -gn ferrytest)" -d "$ROOT" -f "$WORK/pureftpd.passwd" -F "$WORK/pureftpd.pdb" -m >/dev/null
    CMD=("$PREFIX/pure-ftpd/usr/sbin/pure-ftpd" -S "127.0.0.1,$PORT" -p "$PMIN:$PMAX" -P 127.0.0.1
         -l "puredb:$WORK/pureftpd.pdb" -E -A -H -4 -c 100 -U 022:022 -g "$WORK/pure-ftpd.pid"
         -O "clf:$WORK/transfer.log")
    [ -z "${FERRY_FTP_RATE:-}" ] || CMD+=(-t "$(( FERRY_FTP_RATE / 1024 ))" -T "$(( FERRY_FTP_RATE / 1024 ))")
    # shellcheck disable=SC2206
    [ -z "${FERRY_FTP_EXTRA:-}" ] || CMD+=($FERRY_FTP_EXTRA) ;;
  *) echo "unknown server $NAME" >&2; exit 2 ;;
esac
setsid "${CMD[@]}" &
SID=$!
cleanup() { pkill -TERM -s "$SID" 2>/dev/null || true; sleep 0.3; pkill -KILL -s "$SID" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 0' INT TERM
wait "$SID"
