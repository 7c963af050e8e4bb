# Device assignment, pure parts: host-tested.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/fault_rate_limit.cpp
)
