#!/usr/bin/env bash
# Builds the hypervisor and its test guests and boots them under QEMU: q35, 4 CPUs, an Intel
# IOMMU, an edu accelerator and an NVMe controller behind a PCIe root port. Two VMs run side by
# side (one vCPU each, on CPUs 1 and 2) and print from inside; then the machine powers off.
# The console is shown as it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target hypervisor.elf hvboot hv_guests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/vms.toml" <<'TOML'
# Two isolated VMs; see docs/manifest.md for every key.
[host]
on_all_stopped = "poweroff"

[[vm]]
name = "ml0"
vcpus = 1
memory_mib = 512
kernel = "hello"
cmdline = "name=ml0"

[[vm]]
name = "ml1"
vcpus = 1
memory_mib = 256
kernel = "memory_layout"
cmdline = "expect_mib=256"
TOML
exec build/tools/hvboot/hvboot --image build/hypervisor.elf --machine q35 --smp 4 --memory 2048 \
  --iommu intel --device edu --device pcie-root-port,id=rp1,chassis=1 --device nvme,serial=demo0,bus=rp1 \
  --module "$work/vms.toml name=manifest" \
  --module "build/guests/hello.elf name=hello" --module "build/guests/memory_layout.elf name=memory_layout" \
  --expect "hv: ready cpus=4" --expect-unordered "hv: vm ml0 stopped reason=poweroff code=0" \
  --expect-unordered "hv: vm ml1 stopped reason=poweroff code=0" --expect "hv: all vms stopped" --timeout 180
