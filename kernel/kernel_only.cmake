# Kernel-only sources of kernel/ (they touch hardware); the pure ones are in sources.cmake.
list(APPEND HV_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/console.cpp
  ${CMAKE_CURRENT_LIST_DIR}/panic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/percpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smp.cpp
  ${CMAKE_CURRENT_LIST_DIR}/time.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wall_clock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/direct_map.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kernel_memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kmalloc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_work.cpp)
