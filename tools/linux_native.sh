#!/usr/bin/env bash
# Usage: tools/linux_native.sh [options] [GUEST_DIR]
#
# Native baseline for the Linux guest: boots GUEST_DIR/vmlinuz + GUEST_DIR/initramfs.cpio.gz
# (built by tools/linux_guest.sh; GUEST_DIR defaults to $LINUX_GUEST_DIR or /work/linux-guest)
# directly under QEMU TCG (q35, -cpu max, -nographic, -no-reboot), captures the serial console
# and reports whether the guest reached userspace, wall times and the guest's own uptime.
#
# Options:
#   --smp N            vCPUs (default 2)
#   --mem MB           guest RAM (default 512)
#   --icount[=SPEC]    add -icount SPEC (default SPEC: shift=0, i.e. 1 ns of virtual time per
#                      guest instruction; virtual time also advances while every vCPU idles).
#                      Use with --smp 1: QEMU 7.2's single-threaded icount round-robin hangs
#                      this kernel at "x86: Booting SMP configuration" with 2+ vCPUs.
#   --action A         guest.action=A: poweroff (default), reboot or shell (interactive: runs
#                      QEMU on this terminal, no report)
#   --append "ARGS"    extra kernel parameters after the default command line
#   --cmdline "ARGS"   replace the default command line entirely (guest.action is still added)
#   --timeout S        kill QEMU after S seconds (default 300)
#   --log FILE         keep the serial log there (default: a temp file, removed unless failing)
#   --quiet            do not echo the serial console while it runs
#
# Report lines (stdout, "native: key=value"): userspace_up, final (last guest: line),
# wall_to_userspace_s / wall_total_s (host seconds from QEMU start), guest_uptime_s (first field
# of /proc/uptime as /init saw it), init_printk_s (kernel timestamp of "Run /init"), qemu_rc,
# result. Exits 0 when the guest printed "guest: userspace up" and then "guest: powering off"
# (or "guest: rebooting" for --action reboot) and QEMU exited 0; 1 otherwise.
set -euo pipefail
export LC_ALL=C

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }

smp=2
mem=512
icount=
action=poweroff
append=
cmdline="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 nokaslr tsc=reliable no_timer_check"
timeout_s=300
log=
echo_console=1
guest=${LINUX_GUEST_DIR:-/work/linux-guest}

while [ $# -gt 0 ]; do
  case "$1" in
    --smp) smp=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --icount) icount=shift=0; shift ;;
    --icount=*) icount=${1#--icount=}; shift ;;
    --action) action=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --cmdline) cmdline=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --quiet) echo_console=; shift ;;
    -h|--help) usage ;;
    -*) echo "linux_native: unknown option $1" >&2; usage ;;
    *) guest=$1; shift ;;
  esac
done

for f in vmlinuz initramfs.cpio.gz; do
  [ -f "$guest/$f" ] || { echo "linux_native: $guest/$f missing; run tools/linux_guest.sh $guest" >&2; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "linux_native: qemu-system-x86_64 missing (tools/setup.sh)" >&2; exit 1; }

full_cmdline="$cmdline${append:+ $append} guest.action=$action"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -machine q35 -m "$mem" -smp "$smp"
      -nographic -no-reboot
      -kernel "$guest/vmlinuz" -initrd "$guest/initramfs.cpio.gz" -append "$full_cmdline")
[ -z "$icount" ] || qemu+=(-icount "$icount")
if [ -n "$icount" ] && [ "$smp" -gt 1 ]; then
  echo "linux_native: warning: -icount with -smp $smp hangs at AP bring-up on QEMU 7.2; use --smp 1" >&2
fi

echo "native: cmdline=$full_cmdline" >&2
echo "native: qemu=${qemu[*]}" >&2

if [ "$action" = shell ]; then
  exec "${qemu[@]}"
fi

tmp=$(mktemp -d)
keep_log=
cleanup() {
  if [ -z "$log" ] && [ -n "$keep_log" ] && [ -f "$tmp/serial.log" ]; then
    cp "$tmp/serial.log" "${TMPDIR:-/tmp}/linux_native.$$.log"
    echo "native: serial log kept at ${TMPDIR:-/tmp}/linux_native.$$.log" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
serial=${log:-$tmp/serial.log}
: > "$serial"

t0=$EPOCHREALTIME
t_up=
final=
uptime=
init_ts=
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  printf '%s\n' "$line" >> "$serial"
  [ -z "$echo_console" ] || printf '%s\n' "$line" >&2
  case "$line" in
    *"guest: userspace up"*) [ -n "$t_up" ] || t_up=$EPOCHREALTIME ;;
  esac
  case "$line" in
    guest:\ uptime=*) uptime=${line#guest: uptime=} ;;
    *"] Run /init as init process"*) init_ts=$(sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' <<<"$line") ;;
  esac
  case "$line" in guest:\ *) final=$line ;; esac
done < <(qrc=0; timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 || qrc=$?
         echo "$qrc" > "$tmp/rc")
t_end=$EPOCHREALTIME
wait $! 2>/dev/null || true  # the process substitution writes rc after QEMU closes its output
rc=$(cat "$tmp/rc" 2>/dev/null || echo unknown)

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
case "$action" in
  reboot) expect="guest: rebooting" ;;
  *) expect="guest: powering off" ;;
esac
result=PASS
[ -n "$t_up" ] || result=FAIL
[ "$final" = "$expect" ] || result=FAIL
[ "$rc" = 0 ] || result=FAIL

echo "native: smp=$smp mem_mb=$mem icount=${icount:-off} action=$action"
echo "native: userspace_up=$([ -n "$t_up" ] && echo yes || echo no)"
grep -a '^guest: [a-z_]*=' "$serial" | grep -v '^guest: uptime=' |
  sed 's/^guest: /native: guest_/' || true
echo "native: final=${final:-none}"
[ -z "$t_up" ] || echo "native: wall_to_userspace_s=$(elapsed "$t0" "$t_up")"
echo "native: wall_total_s=$(elapsed "$t0" "$t_end")"
echo "native: guest_uptime_s=${uptime:-unknown}"
echo "native: init_printk_s=${init_ts:-unknown}"
echo "native: qemu_rc=$rc"
echo "native: result=$result"
[ "$result" = PASS ] || { keep_log=1; exit 1; }
