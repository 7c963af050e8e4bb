#!/usr/bin/env bash
# Usage: tools/linux_guest.sh OUT_DIR
#
# Builds the Linux guest assets the hypervisor boots:
#   OUT_DIR/vmlinuz              Debian's stock cloud kernel (linux-image-*-cloud-amd64)
#   OUT_DIR/kernel.version       "<package> <version> <uname -r>" of that kernel (download cache key)
#   OUT_DIR/modules/             <uname -r>/kernel/drivers/...: nvme, nvme-core and their
#                                dependencies as plain .ko files, plus nvme.order (load order)
#   OUT_DIR/initramfs.cpio.gz    busybox-static userspace with /init (see below)
#
# /init mounts proc, sysfs and devtmpfs and prints to the console (use console=ttyS0):
#   guest: userspace up
#   guest: uptime=<first field of /proc/uptime, seconds>
#   guest: nproc=<online cpus>
#   guest: memtotal_kb=<MemTotal from /proc/meminfo, or "unknown">
#   guest: kernel=<uname -r>
# then does what guest.action=... on the kernel command line asks:
#   poweroff (default)  prints "guest: powering off", then poweroff -f
#   reboot              prints "guest: rebooting", then reboot -f
#   reboot-once         first boot: sets the RTC (battery-backed on a PC, so it survives a
#                       reboot) to 2099, prints "guest: rebooting" and reboots; the boot that
#                       finds the RTC in 2099 prints "guest: second boot", runs the action
#                       named by guest.then= (if any) and powers off. This proves the VM
#                       restarted in place with its platform state (and, with
#                       guest.then=nvme-rw, that an assigned device works after the restart).
#   shell               execs an interactive sh on the console
# Modules nvme needs sit in the image under /lib/modules/<uname -r>/, and /lib/modules/nvme.order
# lists them in load order (insmod each line) for device-passthrough tests; /init does not load
# them. Modules the kernel has built in (Debian's cloud kernel builds nvme and nvme-core in,
# see modules.builtin) are skipped, so nvme.order may be empty.
#
# Idempotent: the kernel .deb is downloaded only when OUT_DIR/kernel.version does not match the
# candidate version apt offers; the initramfs is rebuilt reproducibly and replaced only when its
# bytes change. Installs busybox-static, cpio, kmod and xz-utils when missing (apt-get update runs
# only then), with sudo when not root.
set -euo pipefail

if [ $# -ne 1 ]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
fi

out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
log() { echo "linux_guest: $*" >&2; }

# --- host packages ---------------------------------------------------------------------------
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
missing=()
for p in busybox-static cpio kmod xz-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi
busybox_bin=/bin/busybox
[ -x "$busybox_bin" ] || { log "$busybox_bin missing after installing busybox-static"; exit 1; }
if LC_ALL=C ldd "$busybox_bin" 2>&1 | grep -q '=>'; then
  log "$busybox_bin is dynamically linked; install busybox-static"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- kernel ----------------------------------------------------------------------------------
meta=linux-image-cloud-amd64
resolve() {
  apt-cache depends "$meta" 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n1
}
pkg=$(resolve)
if [ -z "$pkg" ] && [ ! -f "$out/vmlinuz" ]; then
  # A fresh machine may have no package lists yet.
  log "package lists do not know $meta: apt-get update"
  "${sudo_cmd[@]}" apt-get update -qq >&2
  pkg=$(resolve)
fi
if [ -z "$pkg" ]; then
  log "cannot resolve $meta to a versioned kernel package (try: apt-get update)"
  exit 1
fi
pkg_version=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
[ -n "$pkg_version" ] && [ "$pkg_version" != "(none)" ] || { log "no candidate for $pkg"; exit 1; }

cached=
if [ -f "$out/vmlinuz" ] && [ -f "$out/kernel.version" ] && [ -f "$out/modules/nvme.order" ]; then
  read -r c_pkg c_ver c_kver < "$out/kernel.version" || true
  if [ "${c_pkg:-}" = "$pkg" ] && [ "${c_ver:-}" = "$pkg_version" ] && [ -n "${c_kver:-}" ]; then
    cached=1
    kver=$c_kver
    log "kernel $pkg $pkg_version cached"
  fi
fi

if [ -z "$cached" ]; then
  log "downloading $pkg=$pkg_version"
  apt_opts=()
  # As root apt downloads as _apt, which cannot write into our private temp dir; stay root.
  [ "$(id -u)" -ne 0 ] || apt_opts=(-o APT::Sandbox::User=root)
  (cd "$work" && apt-get download -qq "${apt_opts[@]}" "$pkg=$pkg_version" >&2)
  deb=$(ls "$work"/"$pkg"_*.deb)
  mkdir "$work/deb"
  dpkg-deb -x "$deb" "$work/deb"
  vmlinuz=$(ls "$work"/deb/boot/vmlinuz-* | head -n1)
  kver=${vmlinuz##*/vmlinuz-}
  moddir="$work/deb/lib/modules/$kver"
  [ -d "$moddir" ] || { log "no $moddir in $deb"; exit 1; }

  # nvme + nvme-core and, recursively, what modinfo says they depend on. Modules built into the
  # kernel (modules.builtin) need nothing.
  rm -rf "$work/modules"
  mkdir -p "$work/modules"
  : > "$work/modules/nvme.order"
  declare -A seen=()
  find_module() {  # module name -> path of its .ko[.xz|.zst|.gz] under $moddir ('-' == '_')
    local pattern
    pattern=$(echo "$1" | sed 's/[-_]/[-_]/g')
    find "$moddir/kernel" -regextype posix-extended -regex ".*/${pattern}\.ko(\.xz|\.zst|\.gz)?" | head -n1
  }
  is_builtin() {
    local pattern
    pattern=$(echo "$1" | sed 's/[-_]/[-_]/g')
    [ -f "$moddir/modules.builtin" ] &&
      grep -Eq "(^|/)${pattern}\.ko$" "$moddir/modules.builtin"
  }
  add_module() {
    local name=$1 path dep deps
    [ -z "${seen[$name]:-}" ] || return 0
    seen[$name]=1
    if is_builtin "$name"; then
      log "module $name is built into the kernel"
      return 0
    fi
    path=$(find_module "$name")
    [ -n "$path" ] || { log "module $name not found in $pkg"; exit 1; }
    deps=$(modinfo -F depends "$path" | tr ',' ' ')
    for dep in $deps; do add_module "$dep"; done
    local base=${path##*/} rel=${path#"$moddir"/}
    local dst="$work/modules/$kver/${rel%.ko*}.ko"
    mkdir -p "$(dirname "$dst")"
    case "$base" in
      *.ko.xz)  xz -dc "$path" > "$dst" ;;
      *.ko.zst) zstd -qdc "$path" > "$dst" ;;
      *.ko.gz)  gzip -dc "$path" > "$dst" ;;
      *.ko)     cp "$path" "$dst" ;;
    esac
    echo "/lib/modules/$kver/${rel%.ko*}.ko" >> "$work/modules/nvme.order"
    log "module $name (depends: ${deps:-none})"
  }
  add_module nvme-core
  add_module nvme

  cp "$vmlinuz" "$work/vmlinuz"
  rm -rf "$out/modules"
  mv "$work/modules" "$out/modules"
  mv "$work/vmlinuz" "$out/vmlinuz"
  echo "$pkg $pkg_version $kver" > "$out/kernel.version"
  log "kernel $kver -> $out/vmlinuz"
fi

# --- initramfs -------------------------------------------------------------------------------
root="$work/root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,etc,lib/modules,usr/bin,usr/sbin,mnt}
cp "$busybox_bin" "$root/bin/busybox"
# One symlink per applet, at the path busybox itself would install it (busybox --install -s).
"$busybox_bin" --list-full | while read -r applet; do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done
# The kernel's fallback when /dev is empty at the moment it opens the initial console.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$root/dev/null" c 1 3 2>/dev/null || true
if [ -f "$out/modules/nvme.order" ]; then
  cp -r "$out/modules/." "$root/lib/modules/"
fi

cat > "$root/init" <<'EOF'
#!/bin/sh
# Guest init for the hypervisor's Linux tests (built by tools/linux_guest.sh).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
# From here on only errors and worse reach the console (console_loglevel 4; dmesg keeps all).
# The kernel writes the serial console synchronously while this script's lines leave through
# the tty's interrupt-driven buffer, so a message printed meanwhile lands inside one of our lines
# (seen under load: "guest: nvme disk=/dev/nvme0n1 size_kb=65536[    4.175467] hrtimer: interrupt
# took 103090756 ns"), and the tests match whole lines.
echo 4 > /proc/sys/kernel/printk

up=$(cut -d' ' -f1 /proc/uptime 2>/dev/null)
echo "guest: userspace up"
echo "guest: uptime=${up:-unknown}"
echo "guest: nproc=$(nproc 2>/dev/null || echo unknown)"
mem=$(sed -n 's/^MemTotal: *\([0-9][0-9]*\) kB$/\1/p' /proc/meminfo 2>/dev/null)
echo "guest: memtotal_kb=${mem:-unknown}"
echo "guest: kernel=$(uname -r)"

action=poweroff
then=
for arg in $(cat /proc/cmdline 2>/dev/null); do
  case "$arg" in
    guest.action=*) action=${arg#guest.action=} ;;
    guest.then=*) then=${arg#guest.then=} ;;
  esac
done

run_action() {
  case "$1" in
    reboot-once)
      if grep -q '^2099-' /sys/class/rtc/rtc0/date 2>/dev/null; then
        echo "guest: second boot rtc=$(cat /sys/class/rtc/rtc0/date)"
        # Cleared first, so that a guest.then=reboot-once cannot recurse.
        next=$then
        then=
        [ -z "$next" ] || run_action "$next"
      else
        date -u -s '2099-01-01 00:00:00' >/dev/null
        hwclock -w -u
        echo "guest: rtc=$(cat /sys/class/rtc/rtc0/date 2>/dev/null || echo none)"
        run_action reboot
      fi
      ;;
    reboot)
      echo "guest: rebooting"
      sync
      reboot -f
      ;;
    nvme-rw)
      # An NVMe controller assigned to this VM: stock driver (built in, or the modules listed in
      # /lib/modules/nvme.order), raw data written and read back with O_DIRECT, then an ext2 file
      # system written, unmounted, mounted again and read back; checksums compared each time.
      if [ -f /lib/modules/nvme.order ]; then
        while read -r m; do [ -n "$m" ] && insmod "$m"; done < /lib/modules/nvme.order
      fi
      i=0
      while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
      if [ ! -b /dev/nvme0n1 ]; then
        echo "guest: nvme FAIL no /dev/nvme0n1"
      else
        echo "guest: nvme disk=/dev/nvme0n1 size_kb=$(($(cat /sys/block/nvme0n1/size) / 2))"
        dd if=/dev/urandom of=/tmp/data bs=1M count=8 2>/dev/null
        want=$(sha256sum /tmp/data | cut -d' ' -f1)
        dd if=/tmp/data of=/dev/nvme0n1 bs=1M oflag=direct 2>/dev/null
        sync
        echo 3 > /proc/sys/vm/drop_caches
        got=$(dd if=/dev/nvme0n1 bs=1M count=8 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
        if [ "$want" = "$got" ]; then echo "guest: nvme raw rw ok sha256=$got"; else echo "guest: nvme FAIL raw want=$want got=$got"; fi
        if mke2fs -q /dev/nvme0n1 >/dev/null 2>&1 && mount -t ext2 /dev/nvme0n1 /mnt; then
          cp /tmp/data /mnt/data && sync && umount /mnt
          echo 3 > /proc/sys/vm/drop_caches
          mount -t ext2 /dev/nvme0n1 /mnt
          got=$(sha256sum /mnt/data | cut -d' ' -f1)
          umount /mnt
          if [ "$want" = "$got" ]; then echo "guest: nvme fs rw ok sha256=$got"; else echo "guest: nvme FAIL fs want=$want got=$got"; fi
        else
          echo "guest: nvme FAIL mke2fs or mount"
        fi
        echo "guest: nvme irqs=$(grep -c nvme /proc/interrupts) $(grep -m1 nvme /proc/interrupts | tr -s ' ')"
      fi
      ;;
    shell)
      echo "guest: shell"
      exec setsid cttyhack sh
      ;;
    poweroff) ;;
    *) echo "guest: unknown action '$1', powering off" ;;
  esac
}
run_action "$action"
echo "guest: powering off"
sync
poweroff -f
# poweroff -f only returns on failure; never let init exit (that panics the kernel).
while :; do sleep 3600; done
EOF
chmod 755 "$root/init"

# Reproducible archive: fixed mtimes, sorted names, no gzip timestamp.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
   cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n > "$work/initramfs.cpio.gz"
if [ -f "$out/initramfs.cpio.gz" ] && cmp -s "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"; then
  log "initramfs unchanged ($(stat -c %s "$out/initramfs.cpio.gz") bytes)"
else
  mv "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
  log "initramfs -> $out/initramfs.cpio.gz ($(stat -c %s "$out/initramfs.cpio.gz") bytes)"
fi
echo "$out"
