#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A real one-node Slurm cluster on localhost for weft's Slurm tests.
#
#   tests/slurm/cluster.sh start    install slurm-wlm + munge if missing, write the
#                                   configuration, start munged, slurmctld, slurmd and
#                                   wait until sinfo shows the node idle
#   tests/slurm/cluster.sh stop     cancel every job, stop the daemons (none is left)
#   tests/slurm/cluster.sh status   say what runs
#
# Needs root (it installs packages, writes /etc/slurm/slurm.conf and runs the daemons as
# root). Idempotent: `start` on a running, healthy cluster does nothing; `stop` with nothing
# running does nothing. State, spool and logs live in $WEFT_SLURM_STATE (default
# /var/tmp/weft-slurm); the logs stay there after `stop` for post-mortems.
#
# Facts this relies on (Slurm 22.05, Debian 12, no systemd, no cgroups):
# ProctrackType=proctrack/linuxproc, TaskPlugin=task/none and SelectType=select/cons_tres
# work as root without cgroups; munged needs /run/munge and its directories owned by munge.
set -euo pipefail

STATE=${WEFT_SLURM_STATE:-/var/tmp/weft-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# weft test cluster (tests/slurm/cluster.sh)"
NODE=localhost

say() { printf 'slurm-cluster: %s\n' "$*"; }
die() { printf 'slurm-cluster: error: %s\n' "$*" >&2; exit 1; }

# pid_of NAME prints the pids of running processes whose executable is exactly NAME
# (pgrep -x matches the process name, not the command line).
pid_of() { pgrep -x "$1" || true; }

install_packages() {
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]} (apt-get install -y ${missing[*]})"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
}

write_config() {
  if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    die "$CONF exists and was not written by this script; not touching a real cluster's configuration"
  fi
  mkdir -p /etc/slurm "$STATE/state" "$STATE/spool"
  local cpus tmp
  cpus=$(nproc)
  tmp=$(mktemp "$CONF.XXXXXX")
  cat >"$tmp" <<EOF
$MARK
# One node (this machine, $cpus CPUs) in one partition, daemons as root, no cgroups.
ClusterName=weft-test
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule quickly: tests submit, requeue and resubmit jobs many times a minute.
SchedulerParameters=sched_interval=2,bf_interval=1,sched_min_interval=0
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
JobRequeue=1
KillWait=5
MinJobAge=600
InactiveLimit=0
SlurmdTimeout=60
SlurmctldTimeout=60
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  chmod 644 "$tmp"
  mv "$tmp" "$CONF"
}

start_munge() {
  # munged refuses to start unless its directories exist and belong to munge.
  mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  chmod 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    if command -v mungekey >/dev/null; then
      (umask 077 && mungekey --create --keyfile=/etc/munge/munge.key --force)
    else
      (umask 077 && dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null)
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  if [ -z "$(pid_of munged)" ]; then
    say "starting munged"
    timeout 30 runuser -u munge -- /usr/sbin/munged
  fi
  local _
  for _ in $(seq 50); do
    timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "munged does not answer (see /var/log/munge/munged.log)"
}

node_state() { timeout 10 sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -1 || true; }

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root"
  install_packages
  write_config
  start_munge
  if [ -z "$(pid_of slurmctld)" ]; then
    say "starting slurmctld"
    # -i: ignore state files it cannot recover (a crash of an earlier test run).
    timeout 30 /usr/sbin/slurmctld -i
  fi
  if [ -z "$(pid_of slurmd)" ]; then
    say "starting slurmd"
    timeout 30 /usr/sbin/slurmd -N "$NODE"
  fi
  local st=""
  for _ in $(seq 120); do
    st=$(node_state)
    case "$st" in
      idle | mixed | allocated) say "node $NODE is $st ($(nproc) CPUs); state and logs in $STATE"; return 0 ;;
      down* | drain* | fail*)
        # A node left down by an earlier run: put it back.
        timeout 10 scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  die "node $NODE is not idle after 60 s (state '${st:-unknown}'); see $STATE/slurmctld.log and $STATE/slurmd.log"
}

# stop_daemon NAME: SIGTERM, wait up to 15 s, then SIGKILL whatever is left.
stop_daemon() {
  local name=$1 pids
  pids=$(pid_of "$name")
  [ -z "$pids" ] && return 0
  say "stopping $name"
  # shellcheck disable=SC2086 # one word per pid
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 75); do
    [ -z "$(pid_of "$name")" ] && return 0
    sleep 0.2
  done
  pids=$(pid_of "$name")
  # shellcheck disable=SC2086 # one word per pid
  if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
  sleep 0.5
}

stop() {
  if [ -n "$(pid_of slurmctld)" ]; then
    # Cancel what is left so no job step outlives the daemons.
    timeout 10 scancel --quiet --full --state=PENDING,RUNNING,SUSPENDED,REQUEUED 2>/dev/null \
      || timeout 10 scancel --quiet --user=root 2>/dev/null || true
    sleep 1
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  # slurmstepd processes of jobs that were still running.
  stop_daemon slurmstepd
  stop_daemon munged
  local left="" n
  for n in slurmd slurmctld slurmstepd munged; do left+=$(pid_of "$n"); done
  [ -z "$left" ] || die "daemons still running: $left"
  say "stopped"
}

status() {
  local n
  for n in munged slurmctld slurmd; do
    printf '%-10s %s\n' "$n" "$(pid_of "$n" | tr '\n' ' ' || true)"
  done
  if [ -n "$(pid_of slurmctld)" ]; then timeout 10 sinfo || true; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
