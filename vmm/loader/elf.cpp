#include "vmm/loader/elf.hpp"

namespace hv::vmm::loader {
namespace {

// gABI "ELF Header": e_ident indices and values.
constexpr std::size_t kEiClass = 4;
constexpr std::size_t kEiData = 5;
constexpr std::size_t kEiVersion = 6;
constexpr std::uint8_t kElfClass32 = 1;
constexpr std::uint8_t kElfClass64 = 2;
constexpr std::uint8_t kElfData2Lsb = 1;
constexpr std::uint8_t kEvCurrent = 1;
constexpr std::uint16_t kEtExec = 2;
constexpr std::uint32_t kPtLoad = 1;
constexpr std::uint16_t kPnXnum = 0xffff;

// Where the class-dependent fields sit. gABI "ELF Header" and "Program Header", 32- and 64-bit.
struct ElfLayout {
    std::size_t ehdr_size;
    std::size_t phdr_size;
    std::size_t word;  // size of an address or offset field
    std::size_t e_entry, e_phoff, e_phentsize, e_phnum;
    std::size_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags;
};

constexpr ElfLayout kElf32Layout = {
    .ehdr_size = 52,
    .phdr_size = 32,
    .word = 4,
    .e_entry = 24,
    .e_phoff = 28,
    .e_phentsize = 42,
    .e_phnum = 44,
    .p_offset = 4,
    .p_vaddr = 8,
    .p_paddr = 12,
    .p_filesz = 16,
    .p_memsz = 20,
    .p_flags = 24,
};
constexpr ElfLayout kElf64Layout = {
    .ehdr_size = 64,
    .phdr_size = 56,
    .word = 8,
    .e_entry = 24,
    .e_phoff = 32,
    .e_phentsize = 54,
    .e_phnum = 56,
    .p_offset = 8,
    .p_vaddr = 16,
    .p_paddr = 24,
    .p_filesz = 32,
    .p_memsz = 40,
    .p_flags = 4,
};
// Fields common to both classes.
constexpr std::size_t kEType = 16;
constexpr std::size_t kEMachine = 18;
constexpr std::size_t kEVersion = 20;
constexpr std::size_t kPType = 0;

// Callers have checked that `bytes` holds the whole header being read.
std::uint64_t word_at(Bytes bytes, std::size_t offset, std::size_t word) {
    return word == 4 ? load_le_unchecked<std::uint32_t>(bytes, offset)
                     : load_le_unchecked<std::uint64_t>(bytes, offset);
}

LoadResult<const ElfLayout*> check_ident(Bytes file) {
    if (!has_elf_magic(file)) {
        return make_load_error(Errc::kInvalid, "not an ELF file: no \\x7fELF magic");
    }
    if (file.size() < 16) {
        return make_load_error(Errc::kInvalid, "ELF file too short for e_ident (", file.size(),
                               " bytes)");
    }
    const auto cls = static_cast<std::uint8_t>(file[kEiClass]);
    const auto data = static_cast<std::uint8_t>(file[kEiData]);
    const auto version = static_cast<std::uint8_t>(file[kEiVersion]);
    if (cls != kElfClass32 && cls != kElfClass64) {
        return make_load_error(Errc::kInvalid, "ELF class ", cls,
                               " is neither ELFCLASS32 nor ELFCLASS64");
    }
    if (data != kElfData2Lsb) {
        return make_load_error(Errc::kUnsupported, "ELF data encoding ", data,
                               " is not little-endian (ELFDATA2LSB)");
    }
    if (version != kEvCurrent) {
        return make_load_error(Errc::kInvalid, "ELF ident version ", version, " is not EV_CURRENT");
    }
    return cls == kElfClass32 ? &kElf32Layout : &kElf64Layout;
}

LoadResult<ElfSegment> read_segment(Bytes file, const ElfLayout& l, std::size_t index, Bytes ph,
                                    ElfClass cls) {
    ElfSegment s{};
    s.offset = word_at(ph, l.p_offset, l.word);
    s.vaddr = word_at(ph, l.p_vaddr, l.word);
    s.paddr = word_at(ph, l.p_paddr, l.word);
    s.filesz = word_at(ph, l.p_filesz, l.word);
    s.memsz = word_at(ph, l.p_memsz, l.word);
    s.flags = load_le_unchecked<std::uint32_t>(ph, l.p_flags);

    if (s.filesz > s.memsz) {
        return make_load_error(Errc::kInvalid, "ELF segment ", index, " has filesz ",
                               Hex0x{s.filesz}, " larger than memsz ", Hex0x{s.memsz});
    }
    if (s.offset > file.size() || file.size() - s.offset < s.filesz) {
        return make_load_error(Errc::kInvalid, "ELF segment ", index, " file range ",
                               Hex0x{s.offset}, "+", Hex0x{s.filesz}, " is outside the file (",
                               Hex0x{file.size()}, " bytes)");
    }
    // An ELF32 segment may end at 4 GiB but not beyond; an ELF64 one at the top of the space.
    const std::uint64_t limit = cls == ElfClass::kElf32 ? 1ull << 32 : ~std::uint64_t{0};
    if (s.memsz > limit || s.paddr > limit - s.memsz || s.vaddr > limit - s.memsz) {
        return make_load_error(Errc::kInvalid, "ELF segment ", index, " at paddr ", Hex0x{s.paddr},
                               " vaddr ", Hex0x{s.vaddr}, " (memsz ", Hex0x{s.memsz},
                               ") wraps the address space");
    }
    return s;
}

}  // namespace

bool has_elf_magic(Bytes file) {
    return bytes_equal(file, 0,
                       "\x7f"
                       "ELF",
                       4);
}

LoadResult<ElfImage> parse_elf(Bytes file) {
    const ElfLayout& l = *TRY(check_ident(file));
    ElfImage image;
    image.elf_class = &l == &kElf32Layout ? ElfClass::kElf32 : ElfClass::kElf64;
    if (file.size() < l.ehdr_size) {
        return make_load_error(Errc::kInvalid, "ELF file too short for its header (", file.size(),
                               " bytes, need ", l.ehdr_size, ")");
    }
    const auto type = load_le_unchecked<std::uint16_t>(file, kEType);
    image.machine = load_le_unchecked<std::uint16_t>(file, kEMachine);
    const auto version = load_le_unchecked<std::uint32_t>(file, kEVersion);
    const std::uint16_t want_machine = image.elf_class == ElfClass::kElf32 ? kEmI386 : kEmX86_64;
    if (image.machine != want_machine) {
        return make_load_error(Errc::kUnsupported, "ELF machine ", image.machine, " is not ",
                               image.elf_class == ElfClass::kElf32 ? "EM_386 (3) for ELF32"
                                                                   : "EM_X86_64 (62) for ELF64");
    }
    if (type != kEtExec) {
        return make_load_error(Errc::kUnsupported, "ELF type ", type,
                               " is not an executable (ET_EXEC)");
    }
    if (version != kEvCurrent) {
        return make_load_error(Errc::kInvalid, "ELF e_version ", version, " is not EV_CURRENT");
    }
    image.entry = word_at(file, l.e_entry, l.word);
    const std::uint64_t phoff = word_at(file, l.e_phoff, l.word);
    const auto phentsize = load_le_unchecked<std::uint16_t>(file, l.e_phentsize);
    const auto phnum = load_le_unchecked<std::uint16_t>(file, l.e_phnum);
    if (phentsize != l.phdr_size) {
        return make_load_error(Errc::kInvalid, "ELF e_phentsize ", phentsize, " is not ",
                               l.phdr_size);
    }
    if (phnum == kPnXnum) {
        return make_load_error(Errc::kUnsupported,
                               "ELF uses extended program header numbering (PN_XNUM)");
    }
    const std::uint64_t table_size = std::uint64_t{phnum} * phentsize;
    if (phoff > file.size() || file.size() - phoff < table_size) {
        return make_load_error(Errc::kInvalid, "ELF program headers at ", Hex0x{phoff}, " (", phnum,
                               " x ", phentsize, " bytes) are outside the file (",
                               Hex0x{file.size()}, " bytes)");
    }

    for (std::size_t i = 0; i < phnum; ++i) {
        const Bytes ph = file.subspan(phoff + i * phentsize, phentsize);
        if (load_le_unchecked<std::uint32_t>(ph, kPType) != kPtLoad) continue;
        const ElfSegment s = TRY(read_segment(file, l, i, ph, image.elf_class));
        if (s.memsz == 0) continue;
        for (const ElfSegment& other : image.segments()) {
            if (s.paddr < other.paddr + other.memsz && other.paddr < s.paddr + s.memsz) {
                return make_load_error(Errc::kInvalid, "ELF segment ", i, " at paddr ",
                                       Hex0x{s.paddr}, " (memsz ", Hex0x{s.memsz},
                                       ") overlaps the segment at ", Hex0x{other.paddr}, " (memsz ",
                                       Hex0x{other.memsz}, ")");
            }
        }
        if (image.segment_count == kMaxElfLoadSegments) {
            return make_load_error(Errc::kTooMany, "ELF has more than ", kMaxElfLoadSegments,
                                   " loadable segments");
        }
        image.segment_storage[image.segment_count++] = s;
    }
    if (image.segment_count == 0) {
        return make_load_error(Errc::kInvalid, "ELF has no loadable (PT_LOAD) segment");
    }
    return image;
}

}  // namespace hv::vmm::loader
