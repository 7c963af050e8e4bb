/*
 * Test-guest entry: Multiboot 0.6.96 header, 32-bit entry, our own flat GDT, stack, and the
 * interrupt stubs. The loader enters _start in 32-bit protected mode with paging off,
 * EAX = 0x2BADB002 and EBX = the Multiboot information (sec 3.2); the GDTR it leaves may be
 * invalid, so we load our own before anything reloads a segment (iret does).
 */
    .set MB_MAGIC,       0x1BADB002
    .set MB_PAGE_ALIGN,  1 << 0    /* modules on 4 KiB boundaries */
    .set MB_MEMORY_INFO, 1 << 1    /* mem_* and mmap_* fields */
    .set MB_FLAGS,       MB_PAGE_ALIGN | MB_MEMORY_INFO

    .set CODE_SELECTOR,  0x08
    .set DATA_SELECTOR,  0x10
    .set STACK_SIZE,     0x10000

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %esi                  /* magic */
    mov %ebx, %edi                  /* multiboot information */
    lgdt gdt_descriptor
    ljmp $CODE_SELECTOR, $1f
1:  mov $DATA_SELECTOR, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $stack_top, %esp

    /* Zero .bss ourselves rather than trust the loader; the loader puts the Multiboot
     * information after the image, so this cannot clobber it. */
    mov %edi, %ebx
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov %ebx, %edi

    sub $8, %esp                    /* keep the i386 ABI's 16-byte alignment at the call */
    push %edi
    push %esi
    call rt_start
2:  cli
    hlt
    jmp 2b

/*
 * One 16-byte stub per vector, so the IDT builder finds stub N at isr_stubs + 16 * N. Each pushes
 * a zero error code where the CPU pushes none (Intel SDM vol. 3 table 6-1), then the vector.
 */
    .set ISR_STUB_SIZE, 16
    .global isr_stubs
    .balign ISR_STUB_SIZE
isr_stubs:
    .set vec, 0
    .rept 256
    .balign ISR_STUB_SIZE
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    push $0
    .endif
    push $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

/* The frame rt_interrupt sees: pusha's eight registers, vector, error code, eip, cs, eflags. */
isr_common:
    pusha
    cld
    mov %esp, %eax
    push %eax
    call rt_interrupt
    add $4, %esp
    popa
    add $8, %esp                    /* vector and error code */
    iret

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF        /* 0x08: flat 32-bit code */
    .quad 0x00CF92000000FFFF        /* 0x10: flat data */
gdt_end:
    .align 4
gdt_descriptor:
    .word gdt_end - gdt - 1
    .long gdt

    .section .bss
    .align 16
stack_bottom:
    .skip STACK_SIZE
stack_top:

    .section .note.GNU-stack, "", @progbits
