# Device assignment, kernel parts: the IOMMU choice, fault reporting, the boot self-test and
# benchmarks.
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/iommu_select.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iommu_selftest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inventory_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iommu_bench.cpp
  ${CMAKE_CURRENT_LIST_DIR}/edu_dma_bench.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_msi.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dma_owners.cpp
  ${CMAKE_CURRENT_LIST_DIR}/assigned_device.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_assignment.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dma_canary.cpp
)
