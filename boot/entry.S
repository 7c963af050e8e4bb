/*
 * 32-bit entry from a Multiboot loader to the 64-bit C++ kernel.
 *
 * Machine state on entry (Multiboot 0.6.96 sec 3.2, Multiboot2 sec 3.3): protected mode, paging
 * off, EAX = loader magic, EBX = physical address of the boot information, no usable stack.
 *
 * Steps: check for long mode, build boot page tables that map
 *   [0, 4 GiB)              identity, 2 MiB pages (boot information, firmware tables, MMIO)
 *   [-2 GiB, -2 GiB+2 GiB)  -> [0, 2 GiB), where the kernel proper is linked (-mcmodel=kernel)
 * enable PAE + long mode + paging (Intel SDM vol. 3A sec 10.8.5), far-jump to 64-bit code and call
 * kernel_main(magic, info). The kernel replaces these tables with its own early on.
 */
    .set CR0_PE,        1 << 0
    .set CR0_WP,        1 << 16
    .set CR0_PG,        1 << 31
    .set CR4_PAE,       1 << 5
    .set MSR_EFER,      0xC0000080
    .set EFER_LME,      1 << 8
    .set EFER_NXE,      1 << 11
    .set PTE_P,         1 << 0
    .set PTE_RW,        1 << 1
    .set PTE_PS,        1 << 7
    .set CPUID_EXT_FEATURES, 0x80000001
    .set CPUID_EDX_NX,  1 << 20
    .set CPUID_EDX_LM,  1 << 29
    .set COM1,          0x3F8
    .set KERNEL_VMA_OFFSET, 0xffffffff80000000

    .section .boot.text, "ax"
    .code32
    .global boot_entry32
boot_entry32:
    cli
    cld
    mov $boot_stack_top, %esp
    mov %eax, %edi                  /* kept for kernel_main (zero-extended in 64-bit mode) */
    mov %ebx, %esi

    /* Long mode available? (Intel SDM vol. 2A, CPUID leaf 80000001h EDX bit 29) */
    mov $0x80000000, %eax
    cpuid
    cmp $CPUID_EXT_FEATURES, %eax
    jb no_long_mode
    mov $CPUID_EXT_FEATURES, %eax
    cpuid
    test $CPUID_EDX_LM, %edx
    jz no_long_mode
    mov %edx, %ebp                  /* remember NX support */

    /* Page directories: 4 x 512 entries of 2 MiB covering [0, 4 GiB). */
    mov $boot_pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_P | PTE_RW | PTE_PS), %eax
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax                   /* bits 32+ of (index << 21) */
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b

    /* Low PDPT: entries 0..3 -> the four page directories. */
    mov $boot_pdpt_low, %ebx
    mov $boot_pd + (PTE_P | PTE_RW), %eax
    mov %eax, 0(%ebx)
    add $4096, %eax
    mov %eax, 8(%ebx)
    add $4096, %eax
    mov %eax, 16(%ebx)
    add $4096, %eax
    mov %eax, 24(%ebx)

    /* High PDPT: entries 510, 511 -> the first two directories ([0, 2 GiB)). */
    mov $boot_pdpt_high, %ebx
    mov $boot_pd + (PTE_P | PTE_RW), %eax
    mov %eax, 510*8(%ebx)
    add $4096, %eax
    mov %eax, 511*8(%ebx)

    mov $boot_pml4, %ebx
    movl $boot_pdpt_low + (PTE_P | PTE_RW), 0(%ebx)
    movl $boot_pdpt_high + (PTE_P | PTE_RW), 511*8(%ebx)

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3

    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    test $CPUID_EDX_NX, %ebp
    jz 2f
    or $EFER_NXE, %eax
2:  wrmsr

    mov %cr0, %eax
    or $(CR0_PE | CR0_PG | CR0_WP), %eax
    mov %eax, %cr0

    lgdt boot_gdtr
    ljmp $0x08, $boot_entry64

/* Print a message on COM1 without interrupts or a stack frame, then halt forever. */
no_long_mode:
    mov $msg_no_long_mode, %esi
    /* 115200 8N1: DLAB on, divisor 1, DLAB off with 8 data bits (16550 datasheet, LCR/DLL/DLM). */
    mov $COM1 + 3, %dx
    mov $0x80, %al
    out %al, %dx
    mov $COM1, %dx
    mov $1, %al
    out %al, %dx
    mov $COM1 + 1, %dx
    xor %al, %al
    out %al, %dx
    mov $COM1 + 3, %dx
    mov $0x03, %al
    out %al, %dx
3:  lodsb
    test %al, %al
    jz 5f
    mov %al, %ah
    mov $COM1 + 5, %dx              /* line status: wait for THR empty (bit 5) */
4:  in %dx, %al
    test $0x20, %al
    jz 4b
    mov $COM1, %dx
    mov %ah, %al
    out %al, %dx
    jmp 3b
5:  cli
    hlt
    jmp 5b

    .code64
boot_entry64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $bsp_stack_top, %rsp
    xor %ebp, %ebp                  /* terminates backtraces */
    movabs $kernel_main, %rax
    call *%rax
6:  cli
    hlt
    jmp 6b

    .section .boot.data, "aw"
msg_no_long_mode:
    .asciz "hv: panic cpu lacks long mode (CPUID 80000001h EDX.LM=0); a 64-bit x86 CPU is required\r\n"

    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL0 (Intel SDM vol. 3A sec 3.4.5) */
    .quad 0x00cf92000000ffff        /* 0x10: data, DPL0 */
boot_gdt_end:
boot_gdtr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .align 4096
    .global boot_pml4
boot_pml4:      .fill 4096, 1, 0
boot_pdpt_low:  .fill 4096, 1, 0
boot_pdpt_high: .fill 4096, 1, 0
boot_pd:        .fill 4 * 4096, 1, 0
boot_stack:     .fill 4096, 1, 0
boot_stack_top:

    .section .bss
    .align 16
    .global bsp_stack_top
bsp_stack:      .skip 131072                    /* large: firmware tables are parsed into Result values on it */
bsp_stack_top:
