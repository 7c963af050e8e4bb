# pure (host-tested)
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/msr_bitmap.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vmx_controls.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vmx_exit.cpp)
