#include "drivers/acpi/root_tables.hpp"

#include "drivers/acpi/field.hpp"

namespace hv::acpi {
namespace {

constexpr Signature kUnknownSignature("????");

struct RootKind {
    Signature signature;
    std::size_t entry_size;  // ACPI 6.5 sec 5.2.7 (RSDT, 32-bit) and 5.2.8 (XSDT, 64-bit)
    const char* unreadable;
    SdtErrors errors;
};

constexpr RootKind kXsdt{
    "XSDT",
    8,
    "XSDT at unreadable memory",
    {"XSDT shorter than its header", "XSDT length past readable memory", "XSDT checksum mismatch",
     "XSDT signature is not XSDT"},
};
constexpr RootKind kRsdt{
    "RSDT",
    4,
    "RSDT at unreadable memory",
    {"RSDT shorter than its header", "RSDT length past readable memory", "RSDT checksum mismatch",
     "RSDT signature is not RSDT"},
};

// Reads a table whose header says how long it is: the header first, then all `length` bytes.
// `expected` null accepts any signature.
Result<Bytes> read_whole(const PhysReader& mem, std::uint64_t phys, const char* unreadable,
                         const SdtErrors& errors, const Signature* expected) {
    Bytes head = mem.read(phys, kSdtHeaderSize);
    if (head.size() < kSdtHeaderSize) return make_error(Errc::kInvalid, unreadable);
    std::uint32_t length = field<std::uint32_t>(head, 4);  // ACPI 6.5 table 5.4, Length
    if (length < kSdtHeaderSize) return make_error(Errc::kInvalid, errors.too_short);
    Bytes whole = mem.read(phys, length);
    if (whole.size() < length) return make_error(Errc::kInvalid, errors.past_end);
    Signature want = expected ? *expected : Signature(chars_at<4>(head, 0));
    Sdt sdt = TRY(parse_sdt(whole, want, errors));
    return sdt.table;
}

constexpr SdtErrors kTableErrors{
    "table length shorter than its header",
    "table length past readable memory",
    "checksum mismatch",
    "unexpected signature",
};

void note_skip(RootTables& roots, Signature sig, std::uint64_t phys, const char* reason) {
    if (!roots.skipped.push(SkippedTable{sig, phys, reason})) ++roots.skipped_unrecorded;
}

// Checks one listed table; on success appends it, otherwise records why not.
void admit(const PhysReader& mem, RootTables& roots, std::uint64_t phys) {
    if (phys == 0) return note_skip(roots, kUnknownSignature, phys, "null entry in root table");
    Bytes head = mem.read(phys, kSdtHeaderSize);
    if (head.size() < kSdtHeaderSize) {
        return note_skip(roots, kUnknownSignature, phys, "header at unreadable memory");
    }
    Signature sig(chars_at<4>(head, 0));
    Result<Bytes> table = read_whole(mem, phys, "header at unreadable memory", kTableErrors, &sig);
    if (!table.ok()) return note_skip(roots, sig, phys, table.error().what);
    TableRef ref{sig, phys, static_cast<std::uint32_t>(table.value().size())};
    if (!roots.tables.push(ref)) note_skip(roots, sig, phys, "more tables than the list holds");
}

Result<RootTables> walk(const PhysReader& mem, std::uint64_t root_phys, const RootKind& kind,
                        RootTables& roots) {
    Bytes root = TRY(read_whole(mem, root_phys, kind.unreadable, kind.errors, &kind.signature));
    roots.root_signature = kind.signature;
    roots.root_phys = root_phys;
    // ACPICA also derives the count by division: trailing bytes short of an entry are ignored.
    Bytes entries = root.subspan(kSdtHeaderSize);
    std::size_t count = entries.size() / kind.entry_size;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t phys = kind.entry_size == 8 ? field<std::uint64_t>(entries, i * 8)
                                                  : field<std::uint32_t>(entries, i * 4);
        admit(mem, roots, phys);
    }
    return roots;
}

}  // namespace

Result<RootTables> walk_root_tables(const PhysReader& mem, const Rsdp& rsdp) {
    RootTables roots{};
    if (rsdp.revision >= 2 && rsdp.xsdt_phys != 0) {
        Result<RootTables> from_xsdt = walk(mem, rsdp.xsdt_phys, kXsdt, roots);
        if (from_xsdt.ok() || rsdp.rsdt_phys == 0) return from_xsdt;
        note_skip(roots, kXsdt.signature, rsdp.xsdt_phys, from_xsdt.error().what);
    }
    if (rsdp.rsdt_phys == 0) return make_error(Errc::kInvalid, "RSDP names no RSDT or XSDT");
    return walk(mem, rsdp.rsdt_phys, kRsdt, roots);
}

Result<Bytes> read_table(const PhysReader& mem, std::uint64_t phys) {
    return read_whole(
        mem, phys, "ACPI table at unreadable memory",
        SdtErrors{"ACPI table shorter than its 36-byte header",
                  "ACPI table length past readable memory", "ACPI table checksum mismatch",
                  "ACPI table signature changed while reading"},
        nullptr);
}

Result<Bytes> find_table(const PhysReader& mem, const RootTables& roots, Signature signature,
                         std::size_t instance) {
    for (const TableRef& ref : roots.tables) {
        if (ref.signature != signature) continue;
        if (instance-- == 0) return read_table(mem, ref.phys);
    }
    return make_error(Errc::kNotFound, "ACPI table not listed in root table");
}

}  // namespace hv::acpi
