# Device models that are pure (no hardware access): built into the kernel and host-tested.
list(APPEND HV_PURE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/uart16550.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rtc_cmos.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pci_host.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pci_host_bridge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ioapic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pic8259.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pit8254.cpp
  ${CMAKE_CURRENT_LIST_DIR}/platform_ports.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lapic.cpp)
