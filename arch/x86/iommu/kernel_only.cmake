# IOMMU drivers: kernel only (MMIO, physical memory).
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/vtd/vtd_unit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vtd/vtd_iommu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/amdvi/amdvi_iommu.cpp
)
