#!/usr/bin/env bash
# Usage: tools/bench_linux.sh [options]
#
# Linux boot overhead of the hypervisor. In one run (same machine state for both numbers) it boots
# the Linux guest from tools/linux_guest.sh (vmlinuz + busybox initramfs) twice, alternating:
#   VM:     inside one VM (1 vCPU, 512 MiB) under the hypervisor, which runs under
#           qemu-system-x86_64 -accel tcg -cpu max -machine q35 -smp 2 -m 2048 -icount shift=0
#           (CPU 0 is the hypervisor's, the vCPU runs on CPU 1), booted by build/tools/hvboot;
#   native: directly under the same QEMU with -smp 1 -m 512 -icount shift=0 (tools/linux_native.sh).
# Both get the same command line, "console=ttyS0 panic=-1 guest.action=poweroff
# tsc_early_khz=K": the hypervisor appends tsc_early_khz=K (its calibrated TSC rate) to the VM's
# command line, and the native boot that follows is given the same K.
#
# Under -icount shift=0 QEMU's virtual clock (and the TSC: 1 GHz) advances 1 ns per executed
# instruction, so guest times are deterministic: virtual seconds = G instructions (while some CPU
# is busy; idle periods advance it with wall time). Prints native vs VM: the guest's uptime as
# /init saw it, the kernel's printk clock at "Run /init" and at "reboot: Power down", wall times,
# the VM/native ratios, then the VM's exit profile (hv: vm NAME exits ...) as counts and exits per
# guest-second (count / kernel clock at power-down). Exit status 1 if either boot did not print
# "guest: userspace up".
#
# Options:
#   --no-icount      no -icount: guest clocks follow the host's wall clock (noisy; wall-clock only)
#   --runs N         boot each way N times (alternating) and report medians (default 1)
#   --build DIR      build directory with hypervisor.elf and tools/hvboot/hvboot (default build)
#   --guest DIR      vmlinuz + initramfs.cpio.gz (default .cache/linux-guest)
#   --keep-logs DIR  keep the serial logs there (vm.N.log, native.N.log, native.N.report)
#   --no-build       do not run cmake --build first (use what DIR holds)
#   --timeout S      per boot (default 600)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }

icount=1
runs=1
build=build
guest=.cache/linux-guest
keep=
do_build=1
timeout_s=600
while [ $# -gt 0 ]; do
  case "$1" in
    --no-icount) icount=; shift ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --guest) guest=$2; shift 2 ;;
    --keep-logs) keep=$2; shift 2 ;;
    --no-build) do_build=; shift ;;
    --timeout) timeout_s=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "bench_linux: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench_linux: --runs wants a positive integer" >&2; exit 2; }
guest=$(cd "$guest" 2>/dev/null && pwd) || { echo "bench_linux: no guest directory (tools/linux_guest.sh)" >&2; exit 1; }
for f in vmlinuz initramfs.cpio.gz; do
  [ -f "$guest/$f" ] || { echo "bench_linux: $guest/$f missing; run tools/linux_guest.sh" >&2; exit 1; }
done
case "$guest" in *,*) echo "bench_linux: QEMU module paths cannot contain commas: $guest" >&2; exit 1 ;; esac

if [ -n "$do_build" ]; then
  cmake -S . -B "$build" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target hypervisor.elf hvboot >/dev/null
fi
hvboot=$build/tools/hvboot/hvboot
[ -x "$hvboot" ] && [ -f "$build/hypervisor.elf" ] || { echo "bench_linux: no $hvboot or $build/hypervisor.elf" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
base_cmdline="console=ttyS0 panic=-1"
cat > "$work/vms.toml" <<TOML
[host]
on_all_stopped = "poweroff"

[[vm]]
name = "linux"
vcpus = 1
memory_mib = 512
kernel = "vmlinuz"
initrd = "initramfs"
cmdline = "$base_cmdline guest.action=poweroff"
TOML

now() { printf '%s\n' "$EPOCHREALTIME"; }
for ((i = 1; i <= runs; i++)); do
  echo "bench_linux: run $i/$runs: VM under the hypervisor" >&2
  : > "$work/vm.$i.log"; : > "$work/native.$i.log"
  t0=$(now)
  rc=0
  "$hvboot" --image "$build/hypervisor.elf" --machine q35 --smp 2 --memory 2048 ${icount:+--icount} \
    --quiet --timeout "$timeout_s" --cmdline on_all_stopped=poweroff \
    --module "$work/vms.toml name=manifest" \
    --module "$guest/vmlinuz name=vmlinuz" --module "$guest/initramfs.cpio.gz name=initramfs" \
    --reject "Kernel panic" --expect "^\\[linux\\] guest: userspace up" \
    --expect "^hv: vm linux stopped reason=poweroff" --expect "^hv: all vms stopped" \
    --log "$work/vm.$i.log" > "$work/vm.$i.verdict" 2>&1 || rc=$?
  t1=$(now)
  echo "rc=$rc wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" > "$work/vm.$i.meta"

  # The TSC rate the hypervisor gave the guest, else its own calibration, else 1 GHz (icount).
  khz=$(sed -n 's/.*Command line: .*tsc_early_khz=\([0-9]*\).*/\1/p' "$work/vm.$i.log" | head -n1)
  [ -n "$khz" ] || khz=$(sed -n 's/^.*hv: time tsc_mhz=\([0-9]*\) .*/\1000/p' "$work/vm.$i.log" | head -n1)
  [ -n "$khz" ] || khz=1000000

  echo "bench_linux: run $i/$runs: native (tsc_early_khz=$khz)" >&2
  t0=$(now)
  rc=0
  tools/linux_native.sh --smp 1 --mem 512 ${icount:+--icount=shift=0} --quiet --timeout "$timeout_s" \
    --cmdline "$base_cmdline" --append "tsc_early_khz=$khz" --log "$work/native.$i.log" "$guest" \
    > "$work/native.$i.report" 2>/dev/null || rc=$?
  t1=$(now)
  echo "rc=$rc wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" > "$work/native.$i.meta"
done

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp "$work"/*.log "$work"/*.report "$work"/*.verdict "$work"/vms.toml "$keep"/
fi

python3 - "$work" "$runs" "${icount:-0}" <<'PY'
import re, statistics, sys
work, runs, icount = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"

def meta(path):
    return dict(kv.split("=", 1) for kv in open(path).read().split())

def printk(line):
    m = re.match(r"\[\s*(\d+\.\d+)\] (.*)", line)
    return (float(m.group(1)), m.group(2)) if m else (None, line)

def kernel_marks(lines):
    """(uptime at /init, printk at Run /init, printk at Power down, userspace up?)"""
    up, init, off, ok, cmdline = None, None, None, False, None
    for line in lines:
        if line.startswith("guest: uptime="):
            up = float(line.split("=", 1)[1].split()[0])
        if line.startswith("guest: userspace up"):
            ok = True
        t, text = printk(line)
        if t is not None and text.startswith("Run /init as init process"):
            init = t
        if t is not None and "reboot: Power down" in text:
            off = t
        if t is not None and text.startswith("Command line: "):
            cmdline = text[len("Command line: "):]
    return dict(uptime=up, init=init, off=off, ok=ok, cmdline=cmdline)

runs_vm, runs_native, failures = [], [], []
for i in range(1, runs + 1):
    # VM: hvboot's log is "[  wall] text" with guest lines as "[  wall] [linux] text".
    wall_lines = []
    for raw in open(f"{work}/vm.{i}.log", errors="replace"):
        m = re.match(r"\[\s*(\d+\.\d+)\] (.*)", raw.rstrip("\n"))
        if m:
            wall_lines.append((float(m.group(1)), m.group(2)))
    guest = [t[len("[linux] "):] for _, t in wall_lines if t.startswith("[linux] ")]
    r = kernel_marks(guest)
    r.update(meta(f"{work}/vm.{i}.meta"))
    def wall_at(pattern):
        return next((w for w, t in wall_lines if re.search(pattern, t)), None)
    r["wall_up"] = wall_at(r"^\[linux\] guest: userspace up")
    r["wall_start"] = wall_at(r"^hv: vm linux started")
    r["wall_from_start"] = (r["wall_up"] - r["wall_start"]) if r["wall_up"] and r["wall_start"] else None
    text = "\n".join(t for _, t in wall_lines)
    m = re.search(r"^hv: vm linux exits(.*)$", text, re.M)
    r["exits"] = {k: int(v) for k, v in re.findall(r"([\w-]+)=(\d+)", m.group(1))} if m else {}
    m = re.search(r"hv: time tsc_mhz=(\d+)", text)
    r["tsc_mhz"] = int(m.group(1)) if m else None
    m = re.search(r"hv: vm linux overhead .*tsc_at_start=(\d+)", text)
    r["hv_virtual"] = int(m.group(1)) / (r["tsc_mhz"] * 1e6) if m and r["tsc_mhz"] else None
    r["verdict"] = open(f"{work}/vm.{i}.verdict").read().strip().splitlines()[-1:] or ["?"]
    runs_vm.append(r)
    if not r["ok"]:
        failures.append(f"VM run {i}: no 'guest: userspace up' ({r['verdict'][0]})")

    lines = [l.rstrip("\r\n") for l in open(f"{work}/native.{i}.log", errors="replace")]
    n = kernel_marks(lines)
    n.update(meta(f"{work}/native.{i}.meta"))
    rep = dict(re.findall(r"^native: (\w+)=(.*)$", open(f"{work}/native.{i}.report").read(), re.M))
    n["wall_up"] = float(rep["wall_to_userspace_s"]) if "wall_to_userspace_s" in rep else None
    n["result"] = rep.get("result", "?")
    runs_native.append(n)
    if not n["ok"]:
        failures.append(f"native run {i}: no 'guest: userspace up' (result={n['result']}, rc={n['rc']})")

def med(rs, key):
    vals = [float(r[key]) for r in rs if r.get(key) is not None]
    return statistics.median(vals) if vals else None

def fmt(v, w=10, p=3):
    return f"{v:>{w}.{p}f}" if v is not None else f"{'-':>{w}}"

unit = "virtual s" if icount else "guest s"
mode = "-icount shift=0" if icount else "no -icount (guest clocks follow wall time)"
print(f"bench_linux: {mode}; {runs} run(s) each way, medians; VM: 1 vCPU/512 MiB under the "
      "hypervisor on QEMU -smp 2 -m 2048; native: QEMU -smp 1 -m 512")
cmd = next((r["cmdline"] for r in runs_vm + runs_native if r.get("cmdline")), None)
print(f"guest command line: {cmd or '?'}")
if runs_vm[0].get("tsc_mhz"):
    print(f"hypervisor: tsc_mhz={runs_vm[0]['tsc_mhz']}"
          + (" (QEMU's TSC under -icount shift=0 is 1 GHz: 1 cycle = 1 instruction)" if icount else ""))
print()
rows = [
    (f"guest uptime at /init ({unit})", "uptime", "uptime"),
    (f"kernel clock at 'Run /init' ({unit})", "init", "init"),
    (f"kernel clock at power-off ({unit})", "off", "off"),
    ("wall: QEMU start -> userspace up (s)", "wall_up", "wall_up"),
    ("wall: VM start -> userspace up (s) [a]", "wall_up", "wall_from_start"),
    ("wall: whole run (s)", "wall", "wall"),
]
print(f"{'metric':<42}{'native':>10}{'VM':>10}{'VM/native':>11}")
for label, nk, vk in rows:
    a, b = med(runs_native, nk), med(runs_vm, vk)
    ratio = f"{b / a:.2f}x" if a and b is not None else "-"
    print(f"{label:<42}{fmt(a)}{fmt(b)}{ratio:>11}")
print("[a] native column: from QEMU start (SeaBIOS + kernel load included); VM: from"
      " 'hv: vm linux started'")
hv = med(runs_vm, "hv_virtual")
if hv is not None:
    print(f"hypervisor boot before the VM starts (not in the VM's numbers above): {hv:.3f} {unit}"
          f" (tsc_at_start), {fmt(med(runs_vm, 'wall_start'), 0)} s wall")
print()

exits = {}
for r in runs_vm:
    for k in r["exits"]:
        exits.setdefault(k, [])
for k in exits:
    exits[k] = statistics.median(r["exits"].get(k, 0) for r in runs_vm)
secs = med(runs_vm, "off")
print(f"VM exit profile (hv: vm linux exits ..., whole VM life; per guest-second = count / kernel"
      f" clock at power-off = {fmt(secs, 0)} {unit}):")
print(f"{'reason':<20}{'count':>10}{'per guest-s':>14}")
for k, v in sorted(exits.items(), key=lambda kv: -kv[1]):
    print(f"{k:<20}{v:>10.0f}{(v / secs if secs else 0):>14.0f}")
total = sum(exits.values())
print(f"{'total':<20}{total:>10.0f}{(total / secs if secs else 0):>14.0f}")
for f in failures:
    print(f"bench_linux: FAIL: {f}")
sys.exit(1 if failures or not runs_vm else 0)
PY
