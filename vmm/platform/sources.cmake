# The virtual PC's description for guests: pure table builders, built into the kernel and into
# the host unit tests.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/aml_builder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dsdt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/acpi_tables.cpp)
list(APPEND HV_PURE_SOURCES ${CMAKE_CURRENT_LIST_DIR}/virtual_platform.cpp)
