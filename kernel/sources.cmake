# pure (host-tested)
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/cmdline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/memory_map.cpp
  ${CMAKE_CURRENT_LIST_DIR}/frame_allocator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/heap.cpp
)
