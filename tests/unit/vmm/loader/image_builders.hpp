#pragma once
// Synthetic guest kernels for loader tests and fuzz seeds, built byte by byte: ELF32/ELF64
// executables (optionally with a Multiboot header) and Linux bzImages.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "vmm/loader/elf.hpp"
#include "vmm/loader/kernel_format.hpp"
#include "vmm/loader/linux_boot.hpp"

namespace hv::vmm::loader::test {

using Image = std::vector<std::byte>;

template <typename T>
void put(Image& image, std::size_t offset, T value) {
    if (image.size() < offset + sizeof(T)) image.resize(offset + sizeof(T));
    std::memcpy(image.data() + offset, &value, sizeof(T));
}

template <typename T>
T get(const Image& image, std::size_t offset) {
    T v{};
    std::memcpy(&v, image.data() + offset, sizeof(T));
    return v;
}

// Bytes i*7+3: recognisable after a copy.
inline std::vector<std::byte> pattern(std::size_t n, unsigned seed = 0) {
    std::vector<std::byte> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(i * 7 + 3 + seed);
    return out;
}

inline constexpr std::uint32_t kPtLoad = 1;
inline constexpr std::uint32_t kPtNote = 4;

struct SegmentSpec {
    std::uint64_t paddr;
    std::uint64_t vaddr;
    std::vector<std::byte> data;  // filesz = data.size()
    std::uint64_t memsz;
    std::uint32_t flags = kPfRead | kPfExecute;
    std::uint32_t type = kPtLoad;
};

// ELF header field offsets the tests patch (gABI).
struct ElfOffsets {
    std::size_t e_type = 16, e_machine = 18, e_version = 20, e_entry = 24;
    std::size_t e_phoff, e_phentsize, e_phnum, ehdr_size, phdr_size;
    std::size_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags;
};
inline constexpr ElfOffsets kElf32Offsets = {16, 18, 20, 24, 28, 42, 44, 52,
                                             32, 4,  8,  12, 16, 20, 24};
inline constexpr ElfOffsets kElf64Offsets = {16, 18, 20, 24, 32, 54, 56, 64,
                                             56, 8,  16, 24, 32, 40, 4};

class ElfBuilder {
  public:
    explicit ElfBuilder(ElfClass cls) : cls_(cls) {}

    ElfBuilder& entry(std::uint64_t e) {
        entry_ = e, has_entry_ = true;
        return *this;
    }
    ElfBuilder& segment(SegmentSpec s) {
        segments_.push_back(std::move(s));
        return *this;
    }
    // A Multiboot header with `flags` right after the program headers.
    ElfBuilder& multiboot(std::uint32_t flags = kMultibootPageAlignModules |
                                                kMultibootWantMemoryInfo) {
        multiboot_ = true, mb_flags_ = flags;
        return *this;
    }

    [[nodiscard]] const ElfOffsets& offsets() const {
        return cls_ == ElfClass::kElf32 ? kElf32Offsets : kElf64Offsets;
    }
    // Where the program header of segment `i` starts in the built image.
    [[nodiscard]] std::size_t phdr_at(std::size_t i) const {
        return offsets().ehdr_size + i * offsets().phdr_size;
    }

    [[nodiscard]] Image build() const {
        const ElfOffsets& o = offsets();
        const bool is32 = cls_ == ElfClass::kElf32;
        Image img(o.ehdr_size, std::byte{0});
        const char ident[] = {0x7f, 'E', 'L', 'F'};
        std::memcpy(img.data(), ident, 4);
        img[4] = std::byte{static_cast<unsigned char>(is32 ? 1 : 2)};
        img[5] = std::byte{1};                 // little-endian
        img[6] = std::byte{1};                 // EV_CURRENT
        put<std::uint16_t>(img, o.e_type, 2);  // ET_EXEC
        put<std::uint16_t>(img, o.e_machine, is32 ? kEmI386 : kEmX86_64);
        put<std::uint32_t>(img, o.e_version, 1);
        const std::uint64_t e = has_entry_ || segments_.empty() ? entry_ : segments_[0].vaddr;
        word(img, o.e_entry, e);
        word(img, o.e_phoff, o.ehdr_size);
        put<std::uint16_t>(img, is32 ? 40 : 52, static_cast<std::uint16_t>(o.ehdr_size));
        put<std::uint16_t>(img, o.e_phentsize, static_cast<std::uint16_t>(o.phdr_size));
        put<std::uint16_t>(img, o.e_phnum, static_cast<std::uint16_t>(segments_.size()));
        img.resize(o.ehdr_size + segments_.size() * o.phdr_size, std::byte{0});
        if (multiboot_) {
            const std::size_t at = img.size();
            put<std::uint32_t>(img, at, kMultibootHeaderMagic);
            put<std::uint32_t>(img, at + 4, mb_flags_);
            put<std::uint32_t>(img, at + 8, 0u - kMultibootHeaderMagic - mb_flags_);
        }
        for (std::size_t i = 0; i < segments_.size(); ++i) {
            const SegmentSpec& s = segments_[i];
            const std::size_t data_at = (img.size() + 15) & ~std::size_t{15};
            img.resize(data_at, std::byte{0});
            img.insert(img.end(), s.data.begin(), s.data.end());
            const std::size_t ph = phdr_at(i);
            put<std::uint32_t>(img, ph, s.type);
            put<std::uint32_t>(img, ph + o.p_flags, s.flags);
            word(img, ph + o.p_offset, data_at);
            word(img, ph + o.p_vaddr, s.vaddr);
            word(img, ph + o.p_paddr, s.paddr);
            word(img, ph + o.p_filesz, s.data.size());
            word(img, ph + o.p_memsz, s.memsz);
        }
        return img;
    }

    // Writes an address-sized field (4 bytes for ELF32, 8 for ELF64).
    void word(Image& img, std::size_t at, std::uint64_t v) const {
        if (cls_ == ElfClass::kElf32)
            put<std::uint32_t>(img, at, static_cast<std::uint32_t>(v));
        else
            put<std::uint64_t>(img, at, v);
    }

  private:
    ElfClass cls_;
    std::uint64_t entry_ = 0;
    bool has_entry_ = false;
    bool multiboot_ = false;
    std::uint32_t mb_flags_ = 0;
    std::vector<SegmentSpec> segments_;
};

// A small Multiboot ELF32 kernel: text at 1 MiB (0x3000 bytes of file data, 0x5000 in memory).
inline ElfBuilder multiboot_kernel32() {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().entry(0x100010).segment({0x100000, 0x100000, pattern(0x3000), 0x5000});
    return b;
}

struct BzImageSpec {
    std::uint8_t setup_sects = 4;
    std::uint16_t version = 0x020f;
    std::uint8_t loadflags = kLoadedHigh;
    std::uint16_t xloadflags = kXlfKernel64 | kXlfCanBeLoadedAbove4g;
    std::uint32_t kernel_alignment = 0x200000;
    std::uint8_t relocatable = 1;
    std::uint8_t min_alignment = 21;
    std::uint32_t cmdline_size = 2047;
    std::uint64_t pref_address = 0x1000000;
    std::uint32_t init_size = 0x400000;
    std::uint32_t initrd_addr_max = 0x7fffffff;
    std::uint8_t header_length_byte = 0x6a;  // header ends at 0x26c, as in Linux 6.1
    std::size_t payload_size = 0x3000;
};

namespace bp = boot_params;

inline Image make_bzimage(const BzImageSpec& spec = {}) {
    const std::size_t sects = spec.setup_sects == 0 ? 4 : spec.setup_sects;
    const std::size_t setup_size = (sects + 1) * 512;
    Image img(setup_size, std::byte{0});
    put<std::uint8_t>(img, bp::kSetupSects, spec.setup_sects);
    put<std::uint32_t>(img, bp::kSyssize,
                       static_cast<std::uint32_t>((spec.payload_size + 15) / 16));
    put<std::uint16_t>(img, bp::kVidMode, 0xffff);
    put<std::uint16_t>(img, bp::kBootFlag, 0xaa55);
    put<std::uint8_t>(img, bp::kJump, 0xeb);
    put<std::uint8_t>(img, bp::kJump + 1, spec.header_length_byte);
    std::memcpy(img.data() + bp::kHeader, "HdrS", 4);
    put<std::uint16_t>(img, bp::kVersion, spec.version);
    put<std::uint8_t>(img, bp::kLoadflags, spec.loadflags);
    put<std::uint32_t>(img, bp::kCode32Start, 0x100000);
    put<std::uint32_t>(img, bp::kInitrdAddrMax, spec.initrd_addr_max);
    put<std::uint32_t>(img, bp::kKernelAlignment, spec.kernel_alignment);
    put<std::uint8_t>(img, bp::kRelocatableKernel, spec.relocatable);
    put<std::uint8_t>(img, bp::kMinAlignment, spec.min_alignment);
    put<std::uint16_t>(img, bp::kXloadflags, spec.xloadflags);
    put<std::uint32_t>(img, bp::kCmdlineSize, spec.cmdline_size);
    put<std::uint64_t>(img, bp::kPrefAddress, spec.pref_address);
    put<std::uint32_t>(img, bp::kInitSize, spec.init_size);
    const std::vector<std::byte> payload = pattern(spec.payload_size, 1);
    img.insert(img.end(), payload.begin(), payload.end());
    return img;
}

inline Bytes bytes_of(const Image& image) { return Bytes(image.data(), image.size()); }
inline Bytes bytes_of(const std::string& s) {
    return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

}  // namespace hv::vmm::loader::test
