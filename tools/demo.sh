#!/usr/bin/env bash
# Builds the hypervisor and boots it under QEMU: q35, 4 CPUs, an Intel IOMMU, an edu accelerator
# and an NVMe controller behind a PCIe root port. Two Linux VMs (Debian's cloud kernel with a
# busybox initramfs, from tools/linux_guest.sh) run side by side: "ml0" with 2 vCPUs and 512 MiB,
# "ml1" with 1 vCPU and 256 MiB. Each prints from its userspace what it sees (CPU count,
# MemTotal, kernel version) and powers off; then the machine powers off. The console is shown as
# it runs. Run tools/setup.sh first on a fresh machine (it fetches the Linux guest).
set -euo pipefail
cd "$(dirname "$0")/.."
guest=${LINUX_GUEST_DIR:-.cache/linux-guest}
[ -f "$guest/vmlinuz" ] || tools/linux_guest.sh "$guest" >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target hypervisor.elf hvboot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/vms.toml" <<'TOML'
# Two isolated Linux VMs; see docs/manifest.md for every key.
[host]
on_all_stopped = "poweroff"

[[vm]]
name = "ml0"
vcpus = 2
memory_mib = 512
kernel = "vmlinuz"
initrd = "initramfs"
cmdline = "console=ttyS0 panic=-1 quiet guest.action=poweroff"

[[vm]]
name = "ml1"
vcpus = 1
memory_mib = 256
kernel = "vmlinuz"
initrd = "initramfs"
cmdline = "console=ttyS0 panic=-1 quiet guest.action=poweroff"
TOML
build/tools/hvmanifest/hvmanifest check "$work/vms.toml" --module vmlinuz --module initramfs
exec build/tools/hvboot/hvboot --image build/hypervisor.elf --machine q35 --smp 4 --memory 2048 \
  --iommu intel --device edu --device pcie-root-port,id=rp1,chassis=1 --device nvme,serial=demo0,bus=rp1 \
  --module "$work/vms.toml name=manifest" \
  --module "$guest/vmlinuz name=vmlinuz" --module "$guest/initramfs.cpio.gz name=initramfs" \
  --expect "hv: ready cpus=4" \
  --expect-unordered "^\[ml0\] guest: nproc=2$" --expect-unordered "^\[ml1\] guest: nproc=1$" \
  --expect-unordered "hv: vm ml0 stopped reason=poweroff" \
  --expect-unordered "hv: vm ml1 stopped reason=poweroff" --expect "hv: all vms stopped" --timeout 300
