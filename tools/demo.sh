#!/usr/bin/env bash
# Builds the hypervisor and boots it under QEMU: q35, 4 CPUs, an Intel IOMMU (with interrupt
# remapping), an edu accelerator and an NVMe controller behind a PCIe root port. Two Linux VMs
# (Debian's cloud kernel with a busybox initramfs, from tools/linux_guest.sh) run side by side:
# "ml0" with 2 vCPUs and 512 MiB owns the NVMe controller (device assignment: DMA through its own
# IOMMU domain, MSI-X through remapping, reset before and after), formats it, writes and reads
# back data with checksums; "ml1" with 1 vCPU and 256 MiB has no device. Each prints from its
# userspace what it sees and powers off; then the machine powers off. The console is shown as it
# runs. Run tools/setup.sh first on a fresh machine (it fetches the Linux guest).
set -euo pipefail
cd "$(dirname "$0")/.."
guest=${LINUX_GUEST_DIR:-.cache/linux-guest}
[ -f "$guest/vmlinuz" ] || tools/linux_guest.sh "$guest" >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target hypervisor.elf hvboot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
truncate -s 64M "$work/nvme.img"  # the disk behind the assigned controller
cat > "$work/vms.toml" <<'TOML'
# Two isolated Linux VMs, one with an assigned NVMe controller; see docs/manifest.md for every key.
[host]
on_all_stopped = "poweroff"

[[vm]]
name = "ml0"
vcpus = 2
memory_mib = 512
kernel = "vmlinuz"
initrd = "initramfs"
cmdline = "console=ttyS0 panic=-1 quiet guest.action=nvme-rw"
devices = ["0000:01:00.0"]     # the NVMe controller behind the root port
on_dma_fault = "stop"

[[vm]]
name = "ml1"
vcpus = 1
memory_mib = 256
kernel = "vmlinuz"
initrd = "initramfs"
cmdline = "console=ttyS0 panic=-1 quiet guest.action=poweroff"
TOML
build/tools/hvmanifest/hvmanifest check "$work/vms.toml" --module vmlinuz --module initramfs \
  --device 0000:01:00.0
exec build/tools/hvboot/hvboot --image build/hypervisor.elf --machine q35 --smp 4 --memory 2048 \
  --iommu intel --device edu --device pcie-root-port,id=rp1,chassis=1 \
  --qemu-arg -drive --qemu-arg "file=$work/nvme.img,if=none,id=nvm,format=raw" \
  --device nvme,serial=demo0,drive=nvm,bus=rp1 \
  --module "$work/vms.toml name=manifest" \
  --module "$guest/vmlinuz name=vmlinuz" --module "$guest/initramfs.cpio.gz name=initramfs" \
  --expect "hv: ready cpus=4" \
  --expect-unordered "^\[ml0\] guest: nproc=2$" --expect-unordered "^\[ml1\] guest: nproc=1$" \
  --expect-unordered "^hv: vm ml0 device 0000:01:00.0 assigned as 0000:00:01.0 .*interrupts=remapped acs_enabled=[0-9]+$" \
  --expect-unordered "^\[ml0\] guest: nvme raw rw ok sha256=" \
  --expect-unordered "^\[ml0\] guest: nvme fs rw ok sha256=" --reject "guest: nvme FAIL" \
  --expect-unordered "hv: vm ml0 stopped reason=poweroff" \
  --expect-unordered "hv: vm ml1 stopped reason=poweroff" --expect "hv: all vms stopped" --timeout 300
