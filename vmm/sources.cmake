# pure (host-tested)
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/guest_state.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpuid_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hypercall.cpp
  ${CMAKE_CURRENT_LIST_DIR}/msr_emulation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_loader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/xcr0_policy.cpp)
