#!/usr/bin/env bash
# Installs what building and testing the hypervisor needs on a Debian machine (run as root or
# with sudo available). Idempotent: does nothing when every package is already there.
set -euo pipefail

packages=(
  cmake g++ make python3
  libgtest-dev libfmt-dev libspdlog-dev
  qemu-system-x86 ovmf
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
  bochs bochs-term bochsbios vgabios
  busybox-static cpio kmod xz-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Linux guest (Debian's cloud kernel + a busybox initramfs) for the Linux boot tests and the
# demo, cached in .cache/linux-guest (never committed).
"$(dirname "$0")/linux_guest.sh" "$(cd "$(dirname "$0")/.." && pwd)/.cache/linux-guest" >/dev/null
