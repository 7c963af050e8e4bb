# Runs one test guest directly under QEMU (no hypervisor) and checks its console and exit status:
#   cmake -DQEMU=... -DGUEST=x.elf -DAPPEND=... -DQEMU_ARGS=a|b|c -DEXPECT_STATUS=N
#         -DEXPECT=regex -DREJECT=regex -P run_qemu.cmake
# isa-debug-exit makes QEMU exit with 2 * code + 1; a triple fault with -no-reboot exits 0.
string(REPLACE "|" ";" extra_args "${QEMU_ARGS}")
execute_process(
  COMMAND ${QEMU} -accel tcg -cpu max -display none -vga none -monitor none -no-reboot
          -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4
          -kernel ${GUEST} -append "${APPEND}" ${extra_args}
  TIMEOUT 60
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
message("${output}")
if(errors)
  message("stderr: ${errors}")
endif()
if(NOT status STREQUAL "${EXPECT_STATUS}")
  message(FATAL_ERROR "QEMU exit status ${status}, expected ${EXPECT_STATUS}")
endif()
if(EXPECT AND NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "no line matched /${EXPECT}/")
endif()
if(REJECT AND output MATCHES "${REJECT}")
  message(FATAL_ERROR "a line matched /${REJECT}/")
endif()
