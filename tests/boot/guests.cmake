# Test guests (tests/guests/) under the hypervisor on QEMU (-cpu max: the SVM backend).
# Each test writes its manifest, boots the ELF with the manifest and guest ELFs as modules, and
# checks the guest's verdict and the hypervisor's stop line.
set(HV_GUEST_DIR ${CMAKE_BINARY_DIR}/guests)
set(HV_MANIFEST_DIR ${CMAKE_CURRENT_BINARY_DIR}/manifests)

# hv_vm_block(OUT name guest memory_mib cmdline): one [[vm]] table.
function(hv_vm_block out name guest memory cmdline)
  set(${out} "${${out}}\n[[vm]]\nname = \"${name}\"\nmemory_mib = ${memory}\nkernel = \"${guest}\"\ncmdline = \"${cmdline}\"\n" PARENT_SCOPE)
endfunction()

# hv_vm_test(NAME MANIFEST_TEXT GUESTS <guest...> ARGS <hvboot args...>)
function(hv_vm_test name)
  cmake_parse_arguments(T "BOCHS" "MANIFEST;TIMEOUT;QEMU_MEMORY" "GUESTS;ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 90)
  endif()
  if(NOT T_QEMU_MEMORY)
    set(T_QEMU_MEMORY 1024)
  endif()
  if(T_BOCHS)
    # Bochs' Skylake-X model: the VMX backend. Booted from a GRUB ISO built around the ELF.
    set(machine --emulator bochs --iso --smp 3 --memory 512)
    set(test_name guest_vmx.${name})
    set(labels "boot;bochs;guest_vmx")
  else()
    set(machine --machine q35 --smp 4 --memory ${T_QEMU_MEMORY})
    set(test_name guest.${name})
    set(labels "boot;guest")
  endif()
  # One manifest file per test: the QEMU and Bochs variants of a guest differ in sizes.
  file(WRITE ${HV_MANIFEST_DIR}/${test_name}.toml "[host]\non_all_stopped = \"poweroff\"\n${T_MANIFEST}")
  set(modules --module "${HV_MANIFEST_DIR}/${test_name}.toml name=manifest")
  foreach(g IN LISTS T_GUESTS)
    list(APPEND modules --module "${HV_GUEST_DIR}/${g}.elf name=${g}")
  endforeach()
  add_test(NAME ${test_name}
    COMMAND $<TARGET_FILE:hvboot> --image ${HV_ELF} ${machine}
            --timeout ${T_TIMEOUT} --cmdline on_all_stopped=poweroff
            --log ${CMAKE_CURRENT_BINARY_DIR}/${test_name}.log
            --reject "\\] FAIL " ${modules} ${T_ARGS}
            --expect "^hv: all vms stopped" --expect-exit 0)
  math(EXPR ctest_timeout "${T_TIMEOUT} + 30")
  set_tests_properties(${test_name} PROPERTIES LABELS "${labels}" TIMEOUT ${ctest_timeout})
endfunction()

# A guest that must pass all its checks and power off with code 0.
function(hv_passing_guest guest memory cmdline)
  set(m "")
  hv_vm_block(m ${guest} ${guest} ${memory} "${cmdline}")
  set(verdict --expect "^\\[${guest}\\] END ${guest} pass=[1-9][0-9]* fail=0"
              --expect "^hv: vm ${guest} stopped reason=poweroff code=0$")
  hv_vm_test(${guest} MANIFEST "${m}" GUESTS ${guest} ${ARGN} ARGS ${verdict})
  # The same guest on the VMX backend under Bochs (smaller, as Bochs is slow), unless told not to.
  if(NOT "${guest}" STREQUAL "large_pages")
    hv_vm_test(${guest} MANIFEST "${m}" GUESTS ${guest} BOCHS TIMEOUT 300 ARGS ${verdict})
  endif()
endfunction()

hv_passing_guest(cpuid_policy 32 "")
hv_passing_guest(msr 32 "")
hv_passing_guest(port_io 32 "")
hv_passing_guest(mmio 32 "")
hv_passing_guest(hlt 32 "")
hv_passing_guest(hypercall 32 "")
hv_passing_guest(memory_layout 64 "expect_mib=64")
# 2 GiB of guest RAM from a 4 GiB host: at least one 1 GiB block is free and 1 GiB-aligned.
hv_passing_guest(large_pages 2048 "expect_1g=1" QEMU_MEMORY 4096 TIMEOUT 150)

# Isolation: a guest touching memory outside its RAM is stopped; its neighbour runs to the end.
set(m "")
hv_vm_block(m oob out_of_bounds 64 "")
hv_vm_block(m survivor hello 32 "name=survivor")
hv_vm_test(out_of_bounds MANIFEST "${m}" GUESTS out_of_bounds hello
  ARGS --expect-unordered "^hv: vm oob memory-violation gpa=0x4000000 read"
       --expect-unordered "^hv: vm oob stopped reason=memory-violation$"
       --expect-unordered "^\\[survivor\\] END hello pass=1 fail=0"
       --expect-unordered "^hv: vm survivor stopped reason=poweroff code=0$")
# An address that, untranslated, would be hypervisor memory (the image is at 2 MiB): a guest with
# 1 MiB+... of RAM below it reaching up there is stopped the same way.
set(m "")
hv_vm_block(m oob_high out_of_bounds 2 "addr=0x200000")
hv_vm_test(out_of_bounds_hypervisor_address MANIFEST "${m}" GUESTS out_of_bounds
  ARGS --expect "^hv: vm oob_high memory-violation gpa=0x200000"
       --expect "^hv: vm oob_high stopped reason=memory-violation$")
# Above 4 GiB (PAE paging in the guest).
set(m "")
hv_vm_block(m oob_4g out_of_bounds 64 "addr=0x400000000")
hv_vm_test(out_of_bounds_above_4g MANIFEST "${m}" GUESTS out_of_bounds
  ARGS --expect "^hv: vm oob_4g memory-violation gpa=0x400000000"
       --expect "^hv: vm oob_4g stopped reason=memory-violation$")

set(m "")
hv_vm_block(m tf triple_fault 32 "")
hv_vm_test(triple_fault MANIFEST "${m}" GUESTS triple_fault
  ARGS --expect "^hv: vm tf stopped reason=triple-fault$")

# Two VMs at once, each with its own output.
set(m "")
hv_vm_block(m alpha hello 32 "name=alpha")
hv_vm_block(m beta hello 32 "name=beta")
hv_vm_test(two_vms MANIFEST "${m}" GUESTS hello
  ARGS --expect-unordered "^\\[alpha\\] hello from alpha$"
       --expect-unordered "^\\[beta\\] hello from beta$"
       --expect-unordered "^hv: vm alpha stopped reason=poweroff code=0$"
       --expect-unordered "^hv: vm beta stopped reason=poweroff code=0$")

# A manifest error names the line and starts nothing.
hv_vm_test(bad_manifest MANIFEST "\n[[vm]]\nname = \"x\"\nmemroy_mib = 32\nkernel = \"hello\"\n" GUESTS hello
  ARGS --expect "^hv: manifest .*:6: error: unknown key 'memroy_mib'"
       --expect "^hv: no VM started: the manifest is invalid")

# VMX under Bochs: large pages in a VM that fits Bochs' 512 MiB, isolation, triple fault, two VMs.
set(m "")
hv_vm_block(m large_pages large_pages 64 "")
hv_vm_test(large_pages MANIFEST "${m}" GUESTS large_pages BOCHS TIMEOUT 300
  ARGS --expect "^\\[large_pages\\] END large_pages pass=[1-9][0-9]* fail=0"
       --expect "^hv: vm large_pages stopped reason=poweroff code=0$")
set(m "")
hv_vm_block(m oob out_of_bounds 32 "")
hv_vm_block(m survivor hello 16 "name=survivor")
hv_vm_test(out_of_bounds MANIFEST "${m}" GUESTS out_of_bounds hello BOCHS TIMEOUT 300
  ARGS --expect-unordered "^hv: vm oob memory-violation gpa=0x2000000 read"
       --expect-unordered "^hv: vm oob stopped reason=memory-violation$"
       --expect-unordered "^\\[survivor\\] END hello pass=1 fail=0"
       --expect-unordered "^hv: vm survivor stopped reason=poweroff code=0$")
set(m "")
hv_vm_block(m tf triple_fault 16 "")
hv_vm_test(triple_fault MANIFEST "${m}" GUESTS triple_fault BOCHS TIMEOUT 300
  ARGS --expect "^hv: vm tf stopped reason=triple-fault$")
set(m "")
hv_vm_block(m alpha hello 16 "name=alpha")
hv_vm_block(m beta hello 16 "name=beta")
hv_vm_test(two_vms MANIFEST "${m}" GUESTS hello BOCHS TIMEOUT 300
  ARGS --expect-unordered "^\\[alpha\\] hello from alpha$"
       --expect-unordered "^\\[beta\\] hello from beta$"
       --expect-unordered "^hv: vm alpha stopped reason=poweroff code=0$"
       --expect-unordered "^hv: vm beta stopped reason=poweroff code=0$")
