list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/guest_memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mmio_emulation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_exits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_interrupts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_manager.cpp)
