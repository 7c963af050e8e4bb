# kernel only
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/descriptors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/interrupts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/interrupt_stubs.S
  ${CMAKE_CURRENT_LIST_DIR}/lapic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/virt_probe.cpp)

# pure (host-tested)
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/virt_support.cpp)
