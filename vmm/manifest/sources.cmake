# The VM manifest: a pure parser and validator, shared by the kernel and tools/hvmanifest.
set(HV_MANIFEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/toml_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/validate.cpp)
list(APPEND HV_PURE_SOURCES ${HV_MANIFEST_SOURCES})
