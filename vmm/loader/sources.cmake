# Guest kernel loaders: format detection, ELF, Multiboot and Linux boot protocol (pure).
# HV_LOADER_SOURCES is also what tests/fuzz links into loader_fuzz.
set(HV_LOADER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/elf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_layout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_write.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kernel_format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/linux_boot.cpp
  ${CMAKE_CURRENT_LIST_DIR}/multiboot_guest.cpp)
list(APPEND HV_PURE_SOURCES ${HV_LOADER_SOURCES})
