# The MMIO instruction decoder and the guest page walker: pure, shared by the kernel and host tests.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/mmio_instruction.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mmio_apply.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_page_walk.cpp)
