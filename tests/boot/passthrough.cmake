# Device assignment (gpu_passthrough/): QEMU's edu behind a PCIe root port (so a secondary bus
# reset is its reset method) assigned to a test guest (tests/guests/edu.cpp) under both IOMMUs.
# hvboot --iommu intel is intel-iommu,intremap=on,caching-mode=on; --iommu amd is amd-iommu.
set(HV_PT_MANIFESTS ${CMAKE_CURRENT_BINARY_DIR}/passthrough)
set(HV_PT_EDU --device pcie-root-port,id=rp1,chassis=1 --device edu,bus=rp1)
set(HV_EDU_BDF "0000:01:00\\.0")

# hv_pt_test(NAME IOMMU intel|amd MANIFEST text GUESTS guest... ARGS hvboot args...): boots q35
# with that IOMMU, the manifest and the test guests as modules; fails on a panic or heap error.
# ARGS carry the devices and the expectations.
function(hv_pt_test name)
  cmake_parse_arguments(T "" "IOMMU;MANIFEST" "GUESTS;ARGS" ${ARGN})
  file(WRITE ${HV_PT_MANIFESTS}/${name}.toml "[host]\non_all_stopped = \"poweroff\"\n${T_MANIFEST}")
  set(modules --module "${HV_PT_MANIFESTS}/${name}.toml name=manifest")
  foreach(g IN LISTS T_GUESTS)
    list(APPEND modules --module "${CMAKE_BINARY_DIR}/guests/${g}.elf name=${g}")
  endforeach()
  add_test(NAME passthrough.${name}
    COMMAND $<TARGET_FILE:hvboot> --timeout 120 --image ${HV_ELF} --machine q35 --smp 3
            --memory 1024 --iommu ${T_IOMMU}
            --log ${CMAKE_CURRENT_BINARY_DIR}/passthrough.${name}.log ${modules}
            --reject "^hv: panic" --reject "heap: bad free"
            ${T_ARGS} --expect "^hv: all vms stopped" --expect-exit 0)
  set_tests_properties(passthrough.${name} PROPERTIES LABELS "boot;iommu;passthrough" TIMEOUT 150)
endfunction()

# The edu tests: edu behind a root port, the edu and hello guests.
function(hv_passthrough_test name iommu manifest)
  hv_pt_test(${name} IOMMU ${iommu} MANIFEST "${manifest}" GUESTS edu hello
    ARGS ${HV_PT_EDU} ${ARGN})
endfunction()

set(HV_EDU_VM "[[vm]]\nname = \"edu0\"\nmemory_mib = 64\nkernel = \"edu\"\ndevices = [\"0000:01:00.0\"]\n")
# Every check of the guest: its DMA from and to its own memory, the factorial, and MSI for both
# (delivered through a host vector to the guest's vCPU); the device reset on assignment and when
# the VM stops, then handed back quiesced.
set(HV_EDU_PASSES
  --cmdline on_all_stopped=poweroff
  --expect "^hv: vm edu0 device ${HV_EDU_BDF} reset=bus ms=[0-9]+$"
  --expect "^hv: vm edu0 device ${HV_EDU_BDF} assigned as 0000:00:01\\.0 reset=bus iommu_domain=[0-9]+ interrupts=(remapped|compatibility) acs_enabled=1$"
  --expect "^hv: vm edu0 started vcpus=1 memory_mib=64 devices=1$"
  --expect "^\\[edu0\\] PASS edu.dma$"
  --expect "^\\[edu0\\] PASS edu.msi_factorial$"
  --expect "^\\[edu0\\] PASS edu.msi_dma$"
  --expect "^\\[edu0\\] END edu pass=7 fail=0 skip=0 code=0$"
  --expect "^hv: vm edu0 stopped reason=poweroff code=0$"
  --expect "^hv: vm edu0 device ${HV_EDU_BDF} reset=bus ms=[0-9]+$"
  --expect "^hv: vm edu0 device ${HV_EDU_BDF} returned to the host quiesced$")
# Both with interrupt remapping (hvboot's intel-iommu has intremap=on; QEMU 7.2's amd-iommu
# remaps by default under TCG and lists the I/O APIC in its IVHD): edu's MSI reaches the CPU only
# through the table entry the hypervisor wrote for it.
hv_passthrough_test(edu_vtd intel "${HV_EDU_VM}cmdline = \"bench=2\"\n" ${HV_EDU_PASSES}
  --expect-unordered "^hv: iommu vtd unit=0 .* translation=on interrupt_remapping=on$"
  --expect-unordered "interrupts=remapped acs_enabled=[0-9]+$")
hv_passthrough_test(edu_amdvi amd "${HV_EDU_VM}cmdline = \"bench=2\"\n" ${HV_EDU_PASSES}
  --expect-unordered "^hv: amdvi: QEMU model: functions behind bridges use bus 0 requester IDs"
  --expect-unordered "^hv: amdvi: interrupt remapping on$"
  --expect-unordered "interrupts=remapped acs_enabled=[0-9]+$")

# Out-of-bounds DMA: edu is told to write to and read from 0x4000000 (just past the guest's 64 MiB)
# and 0xF000000, where the hypervisor keeps a canary page (dma_canary=, docs/boot.md) that the DMA
# would hit if it were not translated. With on_dma_fault = "stop" the first fault stops the VM;
# a second VM keeps running to its end; the canary is unchanged.
set(HV_BAD_DMA "cmdline = \"expect_msi=0 bad_dma=0x4000000,0xF000000\"\n")
set(HV_OTHER_VM "[[vm]]\nname = \"other\"\nmemory_mib = 32\nkernel = \"hello\"\ncmdline = \"name=other spin=3000000\"\n")
set(HV_BAD_DMA_COMMON
  --cmdline "on_all_stopped=poweroff dma_canary=0xF000000"
  --expect "^hv: dma canary hpa=0xf000000 armed$"
  --expect-unordered "^\\[other\\] PASS hello$"
  --expect-unordered "^hv: vm other stopped reason=poweroff code=0$"
  --expect "^hv: dma canary hpa=0xf000000 intact$")
hv_passthrough_test(bad_dma_vtd_stop intel
  "${HV_EDU_VM}on_dma_fault = \"stop\"\n${HV_BAD_DMA}${HV_OTHER_VM}" ${HV_BAD_DMA_COMMON}
  --expect-unordered "^hv: iommu fault device=${HV_EDU_BDF} addr=0x4000000 reason=write to a page without write permission vm=edu0$"
  --expect-unordered "^hv: vm edu0 stopped reason=dma-fault$"
  --reject "PASS edu.dma_after_bad")
# on_dma_fault = "report": every fault is printed, the guest goes on and its own DMA still works.
hv_passthrough_test(bad_dma_vtd_report intel
  "${HV_EDU_VM}on_dma_fault = \"report\"\n${HV_BAD_DMA}${HV_OTHER_VM}" ${HV_BAD_DMA_COMMON}
  --expect-unordered "^hv: iommu fault device=${HV_EDU_BDF} addr=0x4000000 reason=write .* vm=edu0$"
  --expect-unordered "^hv: iommu fault device=${HV_EDU_BDF} addr=0xf000000 reason=write .* vm=edu0$"
  --expect-unordered "^hv: iommu fault device=${HV_EDU_BDF} addr=0xf000000 reason=read .* vm=edu0$"
  --expect-unordered "^\\[edu0\\] PASS edu.dma_after_bad$"
  --expect-unordered "^hv: vm edu0 stopped reason=poweroff code=77$")
# AMD-Vi: QEMU 7.2's amd-iommu blocks the DMA but logs no IO_PAGE_FAULT for a page-table entry
# that reads zero (amdvi_page_walk returns early), so no fault line and no policy: the test proves
# the blocking (canary intact, the guest's memory past its RAM unreachable) and that the guest and
# its neighbour run on.
hv_passthrough_test(bad_dma_amdvi amd
  "${HV_EDU_VM}on_dma_fault = \"stop\"\n${HV_BAD_DMA}${HV_OTHER_VM}" ${HV_BAD_DMA_COMMON}
  --expect-unordered "^\\[edu0\\] PASS edu.dma_after_bad$")

# A device the manifest names but that cannot be handed over: edu on the root bus has no reset
# method. The VM is refused with the reason; the other VM starts and runs.
hv_pt_test(refused IOMMU intel GUESTS edu hello
  MANIFEST "[[vm]]\nname = \"edu0\"\nmemory_mib = 64\nkernel = \"edu\"\ndevices = [\"0000:00:02.0\"]\n${HV_OTHER_VM}"
  ARGS --device edu --cmdline on_all_stopped=poweroff
       --expect "^hv: vm edu0 device 0000:00:02\\.0 refused: no reset method"
       --expect "^hv: vm edu0 not started: a device cannot be assigned$"
       --expect "^hv: vm other stopped reason=poweroff code=0$")

# A large 64-bit prefetchable BAR, as a GPU's: QEMU ivshmem-plain with a 4 GiB memory backend
# behind a root port. The guest finds BAR2 at 512 GiB (the VM's 64-bit PCI window), mapped with
# 1 GiB second-stage pages, and writes and reads it at 0, 4 KiB, 2 MiB, 1 GiB + 4 KiB and its last
# dword (tests/guests/bar_rw.cpp). BAR0 (256 bytes) is smaller than a page and therefore trapped.
# Then the guest moves BAR2 to 516 GiB: the hypervisor moves the mapping (the old tables are freed
# once every vCPU has flushed) and what was written before reads back at the new address.
foreach(iommu intel amd)
  hv_iommu_tag(tag ${iommu})
  set(name ivshmem_${tag})
  hv_pt_test(${name} IOMMU ${iommu} GUESTS bar_rw
    MANIFEST "[[vm]]\nname = \"gpu0\"\nmemory_mib = 64\nkernel = \"bar_rw\"\ncmdline = \"expect_min_mib=4096 move_to=0x8100000000\"\ndevices = [\"0000:01:00.0\"]\n"
    ARGS --device pcie-root-port,id=rp1,chassis=1
         --qemu-arg -object --qemu-arg memory-backend-ram,id=shm,size=4G
         --device ivshmem-plain,memdev=shm,bus=rp1 --cmdline on_all_stopped=poweroff
         --expect "^hv: vm gpu0 device ${HV_EDU_BDF} bar0 mem32 guest=0xc0000000 host=0x[0-9a-f]+ size=0x100 page=trapped$"
         --expect "^hv: vm gpu0 device ${HV_EDU_BDF} bar2 mem64 pref guest=0x8000000000 host=0x[0-9a-f]+ size=0x100000000 page=1g$"
         --expect "^\\[gpu0\\] NOTE bar base=0x8000000000 size=0x100000000$"
         --expect "^\\[gpu0\\] PASS bar_rw.offset_1g_4k$"
         --expect "^\\[gpu0\\] PASS bar_rw.last_dword$"
         --expect "^hv: vm gpu0 device ${HV_EDU_BDF} bar2 moved to 0x8100000000$"
         --expect "^\\[gpu0\\] PASS bar_rw.same_memory_after_move$"
         --expect "^\\[gpu0\\] END bar_rw pass=9 fail=0 skip=0 code=0$"
         --expect "^hv: vm gpu0 device ${HV_EDU_BDF} returned to the host quiesced$")
endforeach()

# An I/O-port BAR: q35's e1000e at 00:01.0 (PM reset) assigned to tests/guests/io_bar.cpp. Its
# I/O BAR sits at guest port 0x1000, a trapped range forwarded to the host's ports; the guest
# reads and writes the same register through the ports and through the memory BAR.
foreach(iommu intel amd)
  hv_iommu_tag(tag ${iommu})
  set(name io_bar_${tag})
  hv_pt_test(${name} IOMMU ${iommu} GUESTS io_bar
    MANIFEST "[[vm]]\nname = \"nic0\"\nmemory_mib = 32\nkernel = \"io_bar\"\ndevices = [\"0000:00:01.0\"]\n"
    ARGS --cmdline on_all_stopped=poweroff
         --expect "^hv: vm nic0 device 0000:00:01\\.0 reset=pm ms=[0-9]+$"
         --expect "^hv: vm nic0 device 0000:00:01\\.0 bar2 io guest=0x1000 host=0x[0-9a-f]+ size=0x20 page=io$"
         --expect "^\\[nic0\\] NOTE 8086:10d3 at 0:1.0: memory 0xc0000000, ports 0x1000$"
         --expect "^\\[nic0\\] END io_bar pass=5 fail=0 skip=0 code=0$"
         --expect "^hv: vm nic0 device 0000:00:01\\.0 returned to the host quiesced$")
endforeach()
