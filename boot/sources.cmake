# pure (host-tested)
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/multiboot_info.cpp
)
