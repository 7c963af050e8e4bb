# IOMMU hardware formats (VT-d, AMD-Vi): pure, host-tested.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/formats.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vtd/fault.cpp
  ${CMAKE_CURRENT_LIST_DIR}/amdvi/event_log.cpp
)
