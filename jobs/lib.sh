# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared code of jobs/run.sbatch and jobs/sweep.sbatch (sourced, not run).
#
# weft_chain DECK OUTDIR [WEFT_RUN_ARGS...] runs one segment of a wall-time chain in the
# current Slurm job: it restarts from the newest valid checkpoint in OUTDIR (if any), runs
# weft in the background, forwards USR1/TERM to it and, when weft stops early with a
# checkpoint (exit 75) because of USR1 (the wall-time warning), requeues the job so the next
# segment continues. The chain's state lives in OUTDIR/chain.state, its history in
# OUTDIR/chain.log.
#
# Settings (environment variables; sbatch exports the submitting shell's environment):
#   WEFT_BIN            weft binary (default: weft on PATH, else <repo>/build/bin/weft)
#   WEFT_LAUNCHER       auto (default: srun when it has PMIx, else mpirun), srun or mpirun
#   WEFT_SRUN_MPI       srun --mpi plugin (default pmix)
#   WEFT_SRUN_ARGS      extra srun options (word-split)
#   WEFT_MPIRUN_ARGS    extra mpirun options (word-split)
#   WEFT_CPU_BIND       srun --cpu-bind value (default cores; none to switch binding off)
#   WEFT_MODULES        modules to `module load` before anything runs (word-split)
#   WEFT_SETUP          a file to source before anything runs (site environment)
#   WEFT_MAX_RETRIES    failed segments retried before the chain gives up (default 2)
#   WEFT_MAX_SEGMENTS   segments a chain may take at most (default 50)

# Exit codes of weft (README.md) and of these scripts.
readonly WEFT_OK=0 WEFT_BAD_INPUT=2 WEFT_STOPPED=75

weft_say() { printf '[weft-job %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
weft_err() { printf '[weft-job %s] error: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# weft_setup_env loads site modules / setup and finds the weft binary (WEFT_BIN).
weft_setup_env() {
  if [ -n "${WEFT_SETUP:-}" ]; then
    # shellcheck disable=SC1090
    source "$WEFT_SETUP"
  fi
  if [ -n "${WEFT_MODULES:-}" ]; then
    if type module >/dev/null 2>&1; then
      # shellcheck disable=SC2086
      module load $WEFT_MODULES
    else
      weft_err "WEFT_MODULES is set but there is no 'module' command on this node"
      exit $WEFT_BAD_INPUT
    fi
  fi
  if [ -z "${WEFT_BIN:-}" ]; then
    if command -v weft >/dev/null 2>&1; then
      WEFT_BIN=$(command -v weft)
    else
      WEFT_BIN=$WEFT_JOBS_DIR/../build/bin/weft
    fi
  fi
  if [ ! -x "$WEFT_BIN" ]; then
    weft_err "weft binary not found or not executable: $WEFT_BIN (build it, or set WEFT_BIN)"
    exit $WEFT_BAD_INPUT
  fi
  WEFT_BIN=$(realpath "$WEFT_BIN")
}

# weft_setup_layout sets WEFT_LAUNCH (the launcher command as an array) and WEFT_LAYOUT
# (one line for the log) from the allocation: ranks from --ntasks (--ntasks-per-node x
# nodes), threads per rank from --cpus-per-task.
weft_setup_layout() {
  local ntasks=${SLURM_NTASKS:-${SLURM_NPROCS:-1}}
  local nodes=${SLURM_JOB_NUM_NODES:-${SLURM_NNODES:-1}}
  local cpt=${SLURM_CPUS_PER_TASK:-}
  local per_node=${SLURM_NTASKS_PER_NODE:-}
  local threads_from="--cpus-per-task"
  if [ -n "${WEFT_NUM_THREADS:-}" ]; then
    threads_from="WEFT_NUM_THREADS"
  elif [ -z "$cpt" ]; then
    # Without --cpus-per-task weft would split the node's cores among its ranks, which
    # oversubscribes cores given to other jobs on a shared node: one thread per rank.
    export WEFT_NUM_THREADS=1
    threads_from="no --cpus-per-task: 1"
  fi
  local threads=${WEFT_NUM_THREADS:-$cpt}
  local launcher=${WEFT_LAUNCHER:-auto}
  if [ "$launcher" = auto ]; then
    if timeout 30 srun --mpi=list 2>&1 | grep -qw "${WEFT_SRUN_MPI:-pmix}"; then
      launcher=srun
    elif command -v mpirun >/dev/null 2>&1; then
      launcher=mpirun
    else
      weft_err "neither srun with ${WEFT_SRUN_MPI:-pmix} nor mpirun can launch MPI here (set WEFT_LAUNCHER)"
      exit $WEFT_BAD_INPUT
    fi
  fi
  local bind
  case "$launcher" in
    srun)
      bind=${WEFT_CPU_BIND:-cores}
      # Slurm's task/none plugin cannot bind (srun would only warn on every launch).
      if timeout 30 scontrol show config 2>/dev/null | grep -E '^TaskPlugin ' | grep -qv -E 'affinity|cgroup'; then
        bind="none (TaskPlugin=task/none)"
      fi
      # Slurm 22.05's srun does not inherit --cpus-per-task from sbatch: pass it on.
      WEFT_LAUNCH=(srun --mpi="${WEFT_SRUN_MPI:-pmix}" --ntasks="$ntasks" --cpus-per-task="${cpt:-1}"
        --kill-on-bad-exit=1)
      [[ $bind == none* ]] || WEFT_LAUNCH+=(--cpu-bind="$bind")
      # shellcheck disable=SC2206
      WEFT_LAUNCH+=(${WEFT_SRUN_ARGS:-})
      ;;
    mpirun)
      # Open MPI inside an allocation reads the node list from Slurm; PE=c gives each rank
      # its c cores, bound.
      bind="cores (mpirun --map-by slot:PE=${cpt:-1} --bind-to core)"
      WEFT_LAUNCH=(mpirun -np "$ntasks" --map-by "slot:PE=${cpt:-1}" --bind-to core)
      [ "$(id -u)" -eq 0 ] && WEFT_LAUNCH+=(--allow-run-as-root)
      # shellcheck disable=SC2206
      WEFT_LAUNCH+=(${WEFT_MPIRUN_ARGS:-})
      ;;
    *)
      weft_err "WEFT_LAUNCHER must be auto, srun or mpirun, not '$launcher'"
      exit $WEFT_BAD_INPUT
      ;;
  esac
  WEFT_LAYOUT="$ntasks ranks on $nodes node(s)${per_node:+ ($per_node per node)} x ${threads} threads per rank ($threads_from), binding $bind"
}

# weft_find_outdir_arg ARGS... prints the value of a `--set output.dir=X` among ARGS.
weft_find_outdir_arg() {
  local prev="" a
  for a in "$@"; do
    if [ "$prev" = --set ] && [[ $a == output.dir=* ]]; then
      echo "${a#output.dir=}"
    elif [[ $a == --set=output.dir=* ]]; then
      echo "${a#--set=output.dir=}"
    fi
    prev=$a
  done
}

# State file: key=value lines (status, job, segments, failures, last_step).
weft_state_get() { # FILE KEY DEFAULT
  local v
  v=$(sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -1)
  echo "${v:-$3}"
}
weft_state_put() { # FILE status job segments failures last_step
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  printf 'status=%s\njob=%s\nsegments=%s\nfailures=%s\nlast_step=%s\n' "$2" "$3" "$4" "$5" "$6" >"$tmp"
  mv -f "$tmp" "$1"
}

# weft_checkpoints DIR prints the complete checkpoints in DIR, newest first
# (ckpt-<10-digit step>.h5; unfinished ones are still named .part).
weft_checkpoints() {
  local f
  for f in "$1"/ckpt-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].h5; do
    if [ -f "$f" ]; then echo "$f"; fi
  done | sort -r
}
weft_ckpt_step() { local b=${1##*/ckpt-}; echo $((10#${b%.h5})); }

# Signal handling: the batch shell receives USR1 (--signal=B:USR1@s, or
# `scancel --signal=USR1 --batch`) and TERM (time limit, scancel). bash runs a trap only
# between commands, so weft runs in the background and the script waits for it.
WEFT_PID=""
WEFT_SIGNAL=${WEFT_SIGNAL:-}  # run.sbatch may have caught one before sourcing this
weft_on_signal() {
  WEFT_SIGNAL=$1
  weft_say "received SIG$1: asking weft to checkpoint and stop"
  if [ -n "$WEFT_PID" ]; then
    kill -s "$1" "$WEFT_PID" 2>/dev/null || true
  fi
}

# weft_launch ARGS... runs the launcher with weft ARGS in the background and waits for it,
# waiting again when a trapped signal interrupts the wait. Sets WEFT_RC.
weft_launch() {
  "${WEFT_LAUNCH[@]}" "$WEFT_BIN" "$@" </dev/null &
  WEFT_PID=$!
  WEFT_RC=0
  while :; do
    wait "$WEFT_PID" && WEFT_RC=0 || WEFT_RC=$?
    # wait returns >128 both when a trap interrupts it and when the process died of a
    # signal; only in the first case is the process still there.
    if [ "$WEFT_RC" -gt 128 ] && kill -0 "$WEFT_PID" 2>/dev/null; then
      continue
    fi
    break
  done
  WEFT_PID=""
}

# weft_requeue MESSAGE puts this job back in the queue (same job id, same options); the
# next start runs the next segment. Slurm kills this script once the requeue is accepted.
weft_requeue() {
  weft_say "$1"
  local id=$SLURM_JOB_ID
  [ -n "${SLURM_ARRAY_JOB_ID:-}" ] && id=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
  echo "$(date -Is) job $SLURM_JOB_ID: requeued ($1)" >>"$WEFT_OUT/chain.log"
  if timeout 60 scontrol requeue "$id"; then
    # Slurm ends this instance of the job now; do not run anything else meanwhile.
    sleep 120
    exit $WEFT_STOPPED
  fi
  weft_err "scontrol requeue $id failed (does the site forbid requeueing? see docs/slurm.md);"
  weft_err "continue by hand: sbatch $WEFT_RESUBMIT"
  exit $WEFT_STOPPED
}

# weft_chain DECK OUTDIR ARGS... (see the top of this file).
weft_chain() {
  local deck=$1 out=$2
  shift 2
  local job=${SLURM_JOB_ID:?weft_chain runs inside a Slurm batch job}
  local max_retries=${WEFT_MAX_RETRIES:-2} max_segments=${WEFT_MAX_SEGMENTS:-50}
  WEFT_OUT=$out
  WEFT_RESUBMIT="$WEFT_SCRIPT $deck $* --set output.dir=$out"
  mkdir -p "$out"
  local state=$out/chain.state
  local status job0 segments failures last_step
  status=$(weft_state_get "$state" status new)
  job0=$(weft_state_get "$state" job "")
  segments=$(weft_state_get "$state" segments 0)
  failures=$(weft_state_get "$state" failures 0)
  last_step=$(weft_state_get "$state" last_step -1)

  if [ "$status" = complete ]; then
    weft_say "the run in $out is already complete (chain.state): nothing to do"
    exit $WEFT_OK
  fi
  if [ -n "$job0" ] && [ "$job0" != "$job" ]; then
    # A new submission continuing an earlier chain's directory: a fresh retry budget.
    weft_say "continuing the chain of job $job0 in $out"
    failures=0
  fi
  segments=$((segments + 1))
  if [ "$segments" -gt "$max_segments" ]; then
    weft_state_put "$state" failed "$job" "$segments" "$failures" "$last_step"
    weft_err "the chain has taken $max_segments segments (WEFT_MAX_SEGMENTS) without finishing: giving up"
    exit 1
  fi

  trap 'weft_on_signal USR1' USR1
  trap 'weft_on_signal TERM' TERM

  # The newest checkpoint that weft accepts (a dry run reads and checks it).
  local restart=() ckpt="" c n_ckpt=0
  while IFS= read -r c; do
    [ -n "$c" ] || continue
    n_ckpt=$((n_ckpt + 1))
    weft_launch run "$deck" "$@" --set "output.dir=$out" --restart "$c" --dry-run -q >/dev/null
    if [ "$WEFT_RC" -eq 0 ]; then
      ckpt=$c
      break
    fi
    weft_say "checkpoint $c is not usable (weft exit $WEFT_RC): trying an older one"
  done < <(weft_checkpoints "$out")
  if [ -n "$ckpt" ]; then
    restart=(--restart "$ckpt")
  elif [ "$n_ckpt" -gt 0 ]; then
    weft_state_put "$state" failed "$job" "$segments" "$failures" "$last_step"
    weft_err "none of the $n_ckpt checkpoints in $out can be restarted (damaged, or the deck changed): not retrying"
    exit $WEFT_BAD_INPUT
  elif [ "$status" != new ]; then
    # An earlier segment of this chain stopped before its first checkpoint: start over.
    restart=(--set output.overwrite=true)
  fi

  weft_say "job $job, segment $segments of the chain (retries used $failures of $max_retries)"
  weft_say "deck:     $deck${*:+ $*}"
  weft_say "layout:   $WEFT_LAYOUT"
  weft_say "launcher: ${WEFT_LAUNCH[*]}"
  weft_say "output:   $out"
  weft_say "weft:     $WEFT_BIN"
  if [ -n "$ckpt" ]; then weft_say "restart:  from $ckpt"; else weft_say "restart:  none (new run)"; fi
  echo "$(date -Is) job $job: segment $segments starts${ckpt:+ from ${ckpt##*/}}" >>"$out/chain.log"
  weft_state_put "$state" running "$job" "$segments" "$failures" "$last_step"

  if [ -n "$WEFT_SIGNAL" ]; then
    # The warning came while checking checkpoints: there is no time left for a segment.
    [ "$WEFT_SIGNAL" = USR1 ] && weft_requeue "stop requested before weft started: requeueing"
    weft_say "terminated before weft started; continue with: sbatch $WEFT_RESUBMIT"
    exit $WEFT_STOPPED
  fi

  local t0=$SECONDS
  weft_launch run "$deck" "$@" --set "output.dir=$out" "${restart[@]}"
  local rc=$WEFT_RC newest step=-1
  newest=$(weft_checkpoints "$out" | head -1)
  [ -n "$newest" ] && step=$(weft_ckpt_step "$newest")
  weft_say "weft exited with $rc after $((SECONDS - t0)) s; newest checkpoint: ${newest:-none}"
  echo "$(date -Is) job $job: segment $segments exit $rc, newest checkpoint step $step" >>"$out/chain.log"

  case "$rc" in
    "$WEFT_OK")
      weft_state_put "$state" complete "$job" "$segments" "$failures" "$step"
      weft_say "run complete: outputs in $out"
      exit $WEFT_OK
      ;;
    "$WEFT_BAD_INPUT")
      weft_state_put "$state" failed "$job" "$segments" "$failures" "$last_step"
      weft_err "weft rejected its input (exit 2, the reason is above): not retrying"
      exit $WEFT_BAD_INPUT
      ;;
    "$WEFT_STOPPED")
      if [ "$WEFT_SIGNAL" = TERM ]; then
        # TERM is the time limit or a scancel: stopping is what was asked for.
        weft_state_put "$state" stopped "$job" "$segments" "$failures" "$step"
        weft_say "terminated with a checkpoint written; continue with: sbatch $WEFT_RESUBMIT"
        exit $WEFT_STOPPED
      fi
      # Stopped again without a newer checkpoint: counts against the retries.
      [ "$step" -gt "$last_step" ] || failures=$((failures + 1))
      ;;
    *)
      failures=$((failures + 1))
      ;;
  esac
  if [ "$failures" -gt "$max_retries" ]; then
    weft_state_put "$state" failed "$job" "$segments" "$failures" "$last_step"
    weft_err "weft failed (exit $rc) and $max_retries retries (WEFT_MAX_RETRIES) are used up: giving up."
    weft_err "outputs so far are in $out; after fixing the cause continue with: sbatch $WEFT_RESUBMIT"
    exit "$rc"
  fi
  weft_state_put "$state" requeued "$job" "$segments" "$failures" "$((step > last_step ? step : last_step))"
  if [ "$rc" -eq "$WEFT_STOPPED" ] && [ "$step" -gt "$last_step" ]; then
    weft_requeue "stopped at step $step with a checkpoint: requeueing to continue"
  fi
  weft_requeue "weft failed (exit $rc): retry $failures of $max_retries from the newest checkpoint"
}
