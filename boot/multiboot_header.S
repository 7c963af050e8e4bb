/*
 * Multiboot headers. GRUB loads the ELF through the Multiboot2 header; QEMU's -kernel loader only
 * knows Multiboot1 and refuses ELF64, so the Multiboot1 header carries the load addresses itself
 * (flag bit 16, Multiboot 0.6.96 sec 3.1.3) and QEMU copies the image as a flat block.
 */
    .set MB1_MAGIC,         0x1BADB002
    .set MB1_PAGE_ALIGN,    1 << 0     /* modules on 4 KiB boundaries */
    .set MB1_MEMORY_INFO,   1 << 1     /* mem_* and mmap_* fields */
    .set MB1_ADDRESS,       1 << 16    /* header carries load addresses */
    .set MB1_FLAGS,         MB1_PAGE_ALIGN | MB1_MEMORY_INFO | MB1_ADDRESS

    .set MB2_MAGIC,         0xE85250D6 /* Multiboot2 spec 3.1.1 */
    .set MB2_ARCH_I386,     0
    .set MB2_TAG_END,       0
    .set MB2_TAG_INFO_REQ,  1          /* sec 3.1.4 */
    .set MB2_TAG_MOD_ALIGN, 6          /* sec 3.1.11 */
    .set MB2_TAG_OPTIONAL,  1
    .set MB2_INFO_CMDLINE,  1
    .set MB2_INFO_MODULE,   3
    .set MB2_INFO_MMAP,     6
    .set MB2_INFO_ACPI_OLD, 14
    .set MB2_INFO_ACPI_NEW, 15

    .section .multiboot_header, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header            /* header_addr: .boot is linked at its physical address */
    .long __load_start          /* load_addr */
    .long __load_end            /* load_end_addr */
    .long __bss_end_lma         /* bss_end_addr: the loader zeroes up to here */
    .long boot_entry32          /* entry_addr */

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    .align 8
mb2_info_request:
    .short MB2_TAG_INFO_REQ, MB2_TAG_OPTIONAL
    .long mb2_info_request_end - mb2_info_request
    .long MB2_INFO_CMDLINE, MB2_INFO_MODULE, MB2_INFO_MMAP, MB2_INFO_ACPI_OLD, MB2_INFO_ACPI_NEW
mb2_info_request_end:

    .align 8
    .short MB2_TAG_MOD_ALIGN, 0
    .long 8

    .align 8
    .short MB2_TAG_END, 0
    .long 8
mb2_header_end:
