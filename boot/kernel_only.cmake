# Kernel-only sources of boot/; the pure ones are in sources.cmake.
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/multiboot_header.S
  ${CMAKE_CURRENT_LIST_DIR}/entry.S
  ${CMAKE_CURRENT_LIST_DIR}/ap_trampoline.S)
