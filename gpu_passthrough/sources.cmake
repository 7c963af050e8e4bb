# Device assignment, pure parts: host-tested.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/fault_rate_limit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iommu_groups.cpp
  ${CMAKE_CURRENT_LIST_DIR}/assignability.cpp
  ${CMAKE_CURRENT_LIST_DIR}/msi_message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/msix_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/virtual_config_space.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_bar_layout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bar_regions.cpp
)
