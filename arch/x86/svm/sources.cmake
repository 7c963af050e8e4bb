# pure (host-tested)
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/permission_maps.cpp
  ${CMAKE_CURRENT_LIST_DIR}/svm_exit.cpp)
