# Linux guests: Debian's cloud kernel and the busybox initramfs from tools/linux_guest.sh (which
# tools/setup.sh runs) boot to userspace inside VMs under QEMU (the SVM backend). The initramfs's
# /init prints "guest: ..." lines (nproc, MemTotal, kernel version) and then does what
# guest.action= on its command line says.
# HV_LINUX_GUEST_DIR: tests/CMakeLists.txt.
set(HV_LINUX_KERNEL ${HV_LINUX_GUEST_DIR}/vmlinuz)
set(HV_LINUX_INITRD ${HV_LINUX_GUEST_DIR}/initramfs.cpio.gz)
set(HV_LINUX_CMDLINE "console=ttyS0 panic=-1")

if(NOT EXISTS ${HV_LINUX_KERNEL} OR NOT EXISTS ${HV_LINUX_INITRD})
  # Not skipped silently: a run without the assets fails and says how to get them.
  add_test(NAME linux.assets
    COMMAND sh -c "echo 'no Linux guest in ${HV_LINUX_GUEST_DIR}: run tools/setup.sh, or tools/linux_guest.sh DIR and configure with -DHV_LINUX_GUEST_DIR=DIR'; exit 1")
  set_tests_properties(linux.assets PROPERTIES LABELS "boot;linux")
  return()
endif()

# hv_linux_vm(OUT name vcpus memory_mib action [extra manifest lines])
function(hv_linux_vm out name vcpus memory action)
  set(${out} "${${out}}\n[[vm]]\nname = \"${name}\"\nvcpus = ${vcpus}\nmemory_mib = ${memory}\nkernel = \"vmlinuz\"\ninitrd = \"initramfs\"\ncmdline = \"${HV_LINUX_CMDLINE} guest.action=${action}\"\n${ARGN}\n" PARENT_SCOPE)
endfunction()

# hv_linux_test(NAME SMP n MANIFEST text [BOCHS] [GUESTS test guests] ARGS hvboot args)
# BOCHS: the VMX backend under Bochs (Skylake-X model, booted from the GRUB ISO, 512 MiB).
function(hv_linux_test name)
  cmake_parse_arguments(T "BOCHS" "SMP;MANIFEST;TIMEOUT" "GUESTS;ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 240)
  endif()
  if(T_BOCHS)
    set(machine --emulator bochs --iso --smp ${T_SMP} --memory 512)
    set(labels "boot;bochs;linux")
  else()
    set(machine --machine q35 --smp ${T_SMP} --memory 2048)
    set(labels "boot;linux")
  endif()
  file(WRITE ${HV_MANIFEST_DIR}/linux.${name}.toml "[host]\non_all_stopped = \"poweroff\"\n${T_MANIFEST}")
  set(modules --module "${HV_MANIFEST_DIR}/linux.${name}.toml name=manifest"
              --module "${HV_LINUX_KERNEL} name=vmlinuz"
              --module "${HV_LINUX_INITRD} name=initramfs")
  foreach(g IN LISTS T_GUESTS)
    list(APPEND modules --module "${HV_GUEST_DIR}/${g}.elf name=${g}")
  endforeach()
  add_test(NAME linux.${name}
    COMMAND $<TARGET_FILE:hvboot> --image ${HV_ELF} ${machine}
            --timeout ${T_TIMEOUT} --cmdline on_all_stopped=poweroff
            --log ${CMAKE_CURRENT_BINARY_DIR}/linux.${name}.log
            --reject "Kernel panic" --reject "\\] FAIL " ${modules} ${T_ARGS}
            --expect "^hv: all vms stopped" --expect-exit 0)
  math(EXPR ctest_timeout "${T_TIMEOUT} + 30")
  set_tests_properties(linux.${name} PROPERTIES LABELS "${labels}" TIMEOUT ${ctest_timeout})
endfunction()

# What /init reports for a VM: userspace, CPU count, MemTotal (the kernel keeps some of RAM for
# itself: 256 MiB shows about 218 MiB, 512 MiB about 469 MiB), kernel version.
set(HV_LINUX_256 "2[0-4][0-9][0-9][0-9][0-9]")
set(HV_LINUX_512 "4[4-9][0-9][0-9][0-9][0-9]")

# One Linux VM to userspace on a two-CPU host (CPU 0 is the hypervisor's).
set(m "")
hv_linux_vm(m ml0 1 256 poweroff)
hv_linux_test(one_vm SMP 2 MANIFEST "${m}"
  ARGS --expect "^\\[ml0\\] guest: userspace up$"
       --expect "^\\[ml0\\] guest: nproc=1$"
       --expect "^\\[ml0\\] guest: memtotal_kb=${HV_LINUX_256}$"
       --expect "^\\[ml0\\] guest: kernel=6\\."
       --expect "^hv: vm ml0 stopped reason=poweroff$")

# Two Linux VMs at once on four CPUs: an SMP guest (INIT/SIPI) next to a uniprocessor one.
set(m "")
hv_linux_vm(m big 2 512 poweroff)
hv_linux_vm(m small 1 256 poweroff)
hv_linux_test(two_vms SMP 4 MANIFEST "${m}"
  ARGS --expect-unordered "^\\[big\\] guest: nproc=2$"
       --expect-unordered "^\\[big\\] guest: memtotal_kb=${HV_LINUX_512}$"
       --expect-unordered "^\\[small\\] guest: nproc=1$"
       --expect-unordered "^\\[small\\] guest: memtotal_kb=${HV_LINUX_256}$"
       --expect-unordered "^hv: vm big stopped reason=poweroff$"
       --expect-unordered "^hv: vm small stopped reason=poweroff$")

# Guest reboot restarts the VM in place (on_reboot = "restart", the default); the RTC keeps the
# date the first boot set, and the second boot powers off.
set(m "")
hv_linux_vm(m rb 1 256 reboot-once)
hv_linux_test(reboot SMP 2 MANIFEST "${m}"
  ARGS --expect "^\\[rb\\] guest: rebooting$"
       --expect "^hv: vm rb restarted after reboot restarts=1$"
       --expect "^\\[rb\\] guest: second boot rtc=2099-01-01$"
       --expect "^hv: vm rb stopped reason=poweroff$")

# on_reboot = "stop": the guest's reboot ends the VM.
set(m "")
hv_linux_vm(m rs 1 256 reboot "on_reboot = \"stop\"")
hv_linux_test(reboot_stop SMP 2 MANIFEST "${m}"
  ARGS --expect "^\\[rs\\] guest: rebooting$"
       --expect "^hv: vm rs stopped reason=reboot$")

# A misbehaving test guest is stopped while Linux next to it boots and powers off.
set(m "")
hv_linux_vm(m ml1 1 256 poweroff)
hv_vm_block(m oob out_of_bounds 64 "")
hv_vm_block(m tf triple_fault 32 "")
hv_linux_test(next_to_misbehaving SMP 4 MANIFEST "${m}" GUESTS out_of_bounds triple_fault
  ARGS --expect-unordered "^hv: vm oob stopped reason=memory-violation$"
       --expect-unordered "^hv: vm tf stopped reason=triple-fault$"
       --expect-unordered "^\\[ml1\\] guest: userspace up$"
       --expect-unordered "^hv: vm ml1 stopped reason=poweroff$")

# Device passthrough: an NVMe controller (QEMU nvme behind a PCIe root port, FLR as its reset) is
# assigned to a 2-vCPU Linux VM under each IOMMU. The stock nvme driver binds to it at the guest's
# 00:01.0, its MSI-X vectors reach the guest through host vectors, and /init (guest.action=nvme-rw)
# writes 8 MiB raw with O_DIRECT and through an ext2 file system, reading each back after dropping
# the caches and comparing SHA-256 sums.
#
# hv_nvme_disk(OUT name serial): hvboot arguments for a 64 MiB raw disk (linux.NAME.img, created
# once) on QEMU nvme behind a PCIe root port, so at host 0000:01:00.0, plus the rejects every NVMe
# test shares: the driver's not-ready, failure and timeout lines and /init's FAIL lines.
function(hv_nvme_disk out name serial)
  set(img ${CMAKE_CURRENT_BINARY_DIR}/linux.${name}.img)
  if(NOT EXISTS ${img})
    execute_process(COMMAND truncate -s 64M ${img})
  endif()
  set(${out} --device pcie-root-port,id=rp1,chassis=1
      --qemu-arg -drive --qemu-arg file=${img},if=none,id=nvm,format=raw
      --device nvme,serial=${serial},drive=nvm,bus=rp1
      --reject "nvme nvme0: .*(not ready|failure|timeout)" --reject "guest: nvme FAIL"
      PARENT_SCOPE)
endfunction()

foreach(iommu intel amd)
  hv_nvme_disk(disk nvme_${iommu} pt0)
  set(m "")
  hv_linux_vm(m ml0 2 512 nvme-rw "devices = [\"0000:01:00.0\"]")
  hv_iommu_tag(tag ${iommu})
  set(name nvme_${tag})
  hv_linux_test(${name} SMP 3 MANIFEST "${m}"
    ARGS --iommu ${iommu} ${disk}
         --expect "^hv: vm ml0 device 0000:01:00\\.0 reset=flr ms=[0-9]+$"
         --expect "^hv: vm ml0 device 0000:01:00\\.0 assigned as 0000:00:01\\.0 reset=flr iommu_domain=[0-9]+ interrupts=remapped acs_enabled=[0-9]+$"
         --expect "^hv: vm ml0 started vcpus=2 memory_mib=512 devices=1$"
         --expect "^\\[ml0\\] \\[ *[0-9.]+\\] nvme nvme0: pci function 0000:00:01\\.0$"
         --expect "^\\[ml0\\] guest: nvme disk=/dev/nvme0n1 size_kb=65536$"
         --expect "^\\[ml0\\] guest: nvme raw rw ok sha256=[0-9a-f]{64}$"
         --expect "^\\[ml0\\] guest: nvme fs rw ok sha256=[0-9a-f]{64}$"
         --expect "^\\[ml0\\] guest: nvme irqs=[1-9][0-9]* .*PCI-MSI"
         --expect "^hv: vm ml0 stopped reason=poweroff$"
         --expect "^hv: vm ml0 device 0000:01:00\\.0 returned to the host quiesced$")
endforeach()

# A guest reboot with an assigned device: the VM restarts in place, the controller is reset (FLR)
# and its guest view rebuilt before RAM is zeroed, and the second boot's driver binds it again and
# writes and reads it back (guest.then=nvme-rw), as in the first boot of linux.nvme_vtd.
hv_nvme_disk(disk nvme_reboot pt1)
set(m "")
hv_linux_vm(m rb 1 256 "reboot-once guest.then=nvme-rw" "devices = [\"0000:01:00.0\"]")
hv_linux_test(nvme_reboot SMP 2 MANIFEST "${m}"
  ARGS --iommu intel ${disk}
       --expect "^\\[rb\\] \\[ *[0-9.]+\\] nvme nvme0: pci function 0000:00:01\\.0$"
       --expect "^\\[rb\\] \\[ *[0-9.]+\\] nvme nvme0: 1/0/0 default/read/poll queues$"
       --expect "^\\[rb\\] guest: rebooting$"
       --expect "^hv: vm rb device 0000:01:00\\.0 reset=flr ms=[0-9]+$"
       --expect "^hv: vm rb restarted after reboot restarts=1$"
       --expect "^\\[rb\\] \\[ *[0-9.]+\\] nvme nvme0: pci function 0000:00:01\\.0$"
       --expect "^\\[rb\\] \\[ *[0-9.]+\\] nvme nvme0: 1/0/0 default/read/poll queues$"
       --expect "^\\[rb\\] guest: second boot rtc=2099-01-01$"
       --expect "^\\[rb\\] guest: nvme raw rw ok sha256=[0-9a-f]{64}$"
       --expect "^\\[rb\\] guest: nvme fs rw ok sha256=[0-9a-f]{64}$"
       --expect "^hv: vm rb stopped reason=poweroff$"
       --expect "^hv: vm rb device 0000:01:00\\.0 returned to the host quiesced$")

# The same kernel on the VMX backend under Bochs (about 90 s: Bochs interprets every instruction).
set(m "")
hv_linux_vm(m lx 1 192 poweroff)
hv_linux_test(vmx_one_vm SMP 2 BOCHS TIMEOUT 600 MANIFEST "${m}"
  ARGS --expect "^\\[lx\\] guest: userspace up$"
       --expect "^\\[lx\\] guest: nproc=1$"
       --expect "^hv: vm lx stopped reason=poweroff$")
