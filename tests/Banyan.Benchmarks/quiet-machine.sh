# Sourced by the side-by-side scripts (ingest-vs-vm.sh, queries-vs-vm.sh): quiet() waits until the CPUs were
# QUIET_IDLE % idle over 2 s (at most QUIET_WAIT s), then prints what it saw, so each step starts on a quiet machine.
quiet() {
  local start idle
  start=$(date +%s)
  while true; do
    idle=$(python3 -c '
import time
def s():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[3] + f[4], sum(f)
a = s(); time.sleep(2); b = s()
print(round(100 * (b[0] - a[0]) / max(1, b[1] - a[1])))')
    if [ "$idle" -ge "$QUIET_IDLE" ]; then
      echo "idle ${idle}% after $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
      return
    fi
    if [ $(( $(date +%s) - start )) -ge "$QUIET_WAIT" ]; then
      echo "NOT QUIET: idle ${idle}% after ${QUIET_WAIT} s, load $(cut -d' ' -f1-3 /proc/loadavg)"
      return
    fi
  done
}

# For the A/B scripts (load-ab.sh, query-ab.sh): the order of the two sides in round N, A first in odd rounds and B
# first in even ones, so neither always runs on the machine the other has just warmed or loaded.
sides_of_round() {
  if [ $(( $1 % 2 )) -eq 0 ]; then echo "B A"; else echo "A B"; fi
}

# The command prefix heavy runs take: the machine-wide lock, where this machine has one.
heavy_lock=()
if [ -e /work/team/heavy.lock ]; then
  heavy_lock=(flock /work/team/heavy.lock)
fi
