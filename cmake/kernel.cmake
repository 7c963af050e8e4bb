# The freestanding kernel image and its GRUB ISO.

set(HV_KERNEL_CXX_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
  -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pic -fno-pie
  -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables
  -fno-builtin-printf -nostdlib -O2 -g
  -Wall -Wextra -Werror -Wno-missing-field-initializers)

add_executable(hypervisor.elf ${HV_KERNEL_SOURCES} ${HV_PURE_SOURCES})
target_include_directories(hypervisor.elf PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_options(hypervisor.elf PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:${HV_KERNEL_CXX_FLAGS}>
  $<$<COMPILE_LANGUAGE:ASM>:-fno-pic -Wa,--noexecstack>)
target_compile_definitions(hypervisor.elf PRIVATE HV_KERNEL=1)
target_link_options(hypervisor.elf PRIVATE
  -nostdlib -static -no-pie -T ${CMAKE_SOURCE_DIR}/boot/linker.ld
  -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack)
target_link_libraries(hypervisor.elf PRIVATE gcc)
set_target_properties(hypervisor.elf PROPERTIES LINK_DEPENDS ${CMAKE_SOURCE_DIR}/boot/linker.ld)

# GRUB rescue image: grub-mkrescue puts both the i386-pc (SeaBIOS) and x86_64-efi (OVMF)
# loaders on one ISO when grub-pc-bin and grub-efi-amd64-bin are installed.
set(HV_ISO_DIR ${CMAKE_BINARY_DIR}/iso)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/hypervisor.iso
  COMMAND ${CMAKE_COMMAND} -E make_directory ${HV_ISO_DIR}/boot/grub
  COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:hypervisor.elf> ${HV_ISO_DIR}/boot/hypervisor.elf
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/boot/grub.cfg ${HV_ISO_DIR}/boot/grub/grub.cfg
  COMMAND grub-mkrescue -o ${CMAKE_BINARY_DIR}/hypervisor.iso ${HV_ISO_DIR} 2> ${CMAKE_BINARY_DIR}/grub-mkrescue.log
  DEPENDS hypervisor.elf ${CMAKE_SOURCE_DIR}/boot/grub.cfg
  COMMENT "Building GRUB ISO hypervisor.iso")
add_custom_target(hypervisor_iso ALL DEPENDS ${CMAKE_BINARY_DIR}/hypervisor.iso)
