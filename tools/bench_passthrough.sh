#!/usr/bin/env bash
# edu DMA throughput, hypervisor vs guest, in one boot: QEMU's edu device behind a PCIe root port
# (0000:01:00.0) on q35 with an IOMMU, under -icount shift=0 (TSC = instructions executed, 1 GHz).
# Before `hv: ready` the hypervisor itself drives edu through an IOMMU domain (kernel command line
# edu_dma_bench=8: `hv: edu dma bench device=BDF bytes=B cycles=C`); then the manifest assigns
# edu to the edu test guest (tests/guests/edu.cpp, bench=8: `BENCH edu_dma bytes=B cycles=C`).
# Both do 8 round trips of 2 KiB (RAM -> edu buffer -> RAM), polling edu's command register.
# Prints bytes, cycles and bytes per 1000 cycles for each side and the guest/hypervisor ratio.
# Usage: tools/bench_passthrough.sh [BUILD_DIR] [--amd]
#   --amd   a second boot with QEMU's amd-iommu (the first uses intel-iommu)
#   JOBS=N  build parallelism (default nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
iommus=(intel)
for arg in "$@"; do
  case "$arg" in
    --amd) iommus+=(amd) ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "bench_passthrough: unknown option $arg" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done
round_trips=8
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j"${JOBS:-$(nproc)}" --target hypervisor.elf hvboot hv_guest_edu >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/vms.toml" <<TOML
[host]
on_all_stopped = "poweroff"

[[vm]]
name = "edu0"
memory_mib = 64
kernel = "edu"
cmdline = "expect_msi=0 bench=$round_trips"
devices = ["0000:01:00.0"]
TOML
for iommu in "${iommus[@]}"; do
  echo "bench_passthrough: booting with --iommu $iommu (a few minutes: each DMA is 100 ms of virtual time)" >&2
  "$build/tools/hvboot/hvboot" --image "$build/hypervisor.elf" --machine q35 --smp 2 --memory 1024 \
    --iommu "$iommu" --icount --quiet --timeout 900 \
    --device pcie-root-port,id=rp1,chassis=1 --device edu,bus=rp1 \
    --cmdline "on_all_stopped=poweroff edu_dma_bench=$round_trips" \
    --module "$work/vms.toml name=manifest" --module "$build/guests/edu.elf name=edu" \
    --reject "edu dma bench .*FAIL" --reject "^\\[edu0\\] FAIL " \
    --expect "^hv: edu dma bench device=0000:01:00\\.0 bytes=[0-9]+ cycles=[0-9]+$" \
    --expect "^\\[edu0\\] BENCH edu_dma bytes=[0-9]+ cycles=[0-9]+$" \
    --expect "^hv: vm edu0 stopped reason=poweroff" --expect "^hv: all vms stopped" \
    --log "$work/$iommu.log" > "$work/$iommu.verdict" 2>&1 || {
    echo "bench_passthrough: the boot with --iommu $iommu failed:" >&2
    cat "$work/$iommu.verdict" >&2
    grep -E "edu|FAIL|panic" "$work/$iommu.log" | tail -n 20 >&2 || true
    exit 1
  }
done
python3 - "$work" "${iommus[@]}" <<'PY'
import re, sys
work, iommus = sys.argv[1], sys.argv[2:]
print(f"{'iommu':<7}{'side':<12}{'bytes':>8}{'cycles':>15}{'cycles/DMA':>13}{'bytes/1000 cycles':>19}")
for iommu in iommus:
    text = open(f"{work}/{iommu}.log").read()
    hv = re.search(r"hv: edu dma bench device=\S+ bytes=(\d+) cycles=(\d+)", text)
    guest = re.search(r"\[edu0\] BENCH edu_dma bytes=(\d+) cycles=(\d+)", text)
    rates = {}
    for side, m in (("hypervisor", hv), ("guest", guest)):
        b, c = int(m.group(1)), int(m.group(2))
        rates[side] = b / c
        dmas = b // 2048  # one DMA moves 2 KiB
        print(f"{iommu:<7}{side:<12}{b:>8}{c:>15,}{c // dmas:>13,}{1000 * b / c:>19.4f}")
    print(f"{iommu:<7}guest/hypervisor throughput ratio: {rates['guest'] / rates['hypervisor']:.4f}x")
print("(under -icount shift=0 the TSC counts instructions: 1 cycle = 1 ns of QEMU's virtual clock."
      "\n edu starts each DMA from a QEMU timer 100 ms of virtual time after the command, so a"
      "\n 2 KiB DMA costs ~100,000,000 cycles on both sides: edu's timer dominates both numbers,"
      "\n not the IOMMU walk or the VM's exits)")
PY
