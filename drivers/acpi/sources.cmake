# Pure ACPI table parsers: built into the kernel and into the host unit tests.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/sdt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gas.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rsdp.cpp
  ${CMAKE_CURRENT_LIST_DIR}/root_tables.cpp
  ${CMAKE_CURRENT_LIST_DIR}/madt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fadt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/s5.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mcfg.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dmar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ivrs.cpp
)

# kernel only
list(APPEND HV_KERNEL_SOURCES ${CMAKE_CURRENT_LIST_DIR}/platform.cpp)
