# kernel only
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/multiboot_header.S
  ${CMAKE_CURRENT_LIST_DIR}/entry.S)
