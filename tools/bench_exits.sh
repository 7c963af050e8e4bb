#!/usr/bin/env bash
# Exit round-trip benchmark: boots the hypervisor under QEMU with -icount shift=0 (guest TSC =
# instructions executed, hypervisor included) and runs the bench guest (tests/guests/bench.cpp),
# which times CPUID, a VMMCALL hypercall, a UART status port read and a LAPIC MMIO read. Prints
# each next to Linux 6.1 KVM's path length on the same QEMU (DEVELOPERS' guide), and the VM's
# memory overhead. Usage: tools/bench_exits.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target hypervisor.elf hvboot hv_guest_bench >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/vms.toml" <<'TOML'
[host]
on_all_stopped = "poweroff"

[[vm]]
name = "bench"
memory_mib = 1024
kernel = "bench"
TOML
"$build/tools/hvboot/hvboot" --image "$build/hypervisor.elf" --smp 2 --memory 4096 --icount --quiet \
  --module "$work/vms.toml name=manifest" --module "$build/guests/bench.elf name=bench" \
  --expect "hv: vm bench stopped reason=poweroff code=0" --timeout 300 --log "$work/console.log" >/dev/null
python3 - "$work/console.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
bench = dict(re.findall(r"BENCH (\w+) cycles_per_op=(\d+)", text))
kvm = {"cpuid": 2406, "hypercall_nop": 2532, "port_read": 3040, "mmio_read": 3328}
print(f"{'exit':<16}{'ours':>8}{'KVM 6.1':>10}{'KVM/ours':>10}{'target':>8}")
for name, k in kvm.items():
    ours = int(bench.get(name, 0))
    ratio = f"{k / ours:.1f}x" if ours else "-"
    print(f"{name:<16}{ours:>8}{k:>10}{ratio:>10}{k // 10:>8}")
print("(guest TSC cycles per round trip under -icount shift=0 = instructions executed,"
      f" baseline loop {bench.get('baseline', '?')} subtracted)")
m = re.search(r"hv: vm bench overhead hypervisor_bytes=(\d+) page_table_bytes=(\d+) backing_1g=(\d+) backing_2m=(\d+)", text)
if m:
    hv, pt, g1, m2 = map(int, m.groups())
    print(f"per-VM hypervisor memory: {hv} bytes (+ {pt} bytes of nested page tables for 1 GiB;"
          f" RAM backed by {g1} x 1 GiB and {m2} x 2 MiB pages)")
PY
