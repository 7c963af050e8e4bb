# PCI enumeration. Everything but the two hardware access mechanisms is pure and unit-tested.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/bdf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_space.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capabilities.cpp
  ${CMAKE_CURRENT_LIST_DIR}/enumerate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/describe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/function_reset.cpp)
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ecam_config_space.cpp
  ${CMAKE_CURRENT_LIST_DIR}/port_config_space.cpp)

# kernel only (lead)
list(APPEND HV_KERNEL_SOURCES ${CMAKE_CURRENT_LIST_DIR}/inventory.cpp)
