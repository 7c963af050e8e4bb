# The MMIO instruction decoder and the guest page walker: pure, shared by the kernel, host tests
# and tests/fuzz/decode_fuzz.cpp (which takes HV_DECODE_SOURCES).
set(HV_DECODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/mmio_instruction.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mmio_apply.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_page_walk.cpp)
list(APPEND HV_PURE_SOURCES ${HV_DECODE_SOURCES})
