#!/usr/bin/env bash
# Builds the hypervisor and boots it under QEMU: q35, 4 CPUs, Intel IOMMU, an edu accelerator
# and an NVMe controller behind a PCIe root port. The console is shown as it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target hypervisor.elf hvboot
exec build/tools/hvboot/hvboot --image build/hypervisor.elf --machine q35 --smp 4 --memory 2048 \
  --iommu intel --cmdline "on_all_stopped=poweroff" \
  --device edu --device pcie-root-port,id=rp1,chassis=1 --device nvme,serial=demo0,bus=rp1 \
  --expect "hv: ready cpus=4" --expect "hv: all vms stopped" --timeout 120
