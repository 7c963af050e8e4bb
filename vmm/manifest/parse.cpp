// Schema of the manifest: turns the reader's items into a Manifest (docs/manifest.md).
#include "vmm/manifest/manifest.hpp"
#include "vmm/manifest/toml_reader.hpp"

namespace hv::manifest {
namespace {

enum class VmKey : std::uint8_t {
    kName,
    kVcpus,
    kMemoryMib,
    kKernel,
    kInitrd,
    kCmdline,
    kDevices,
    kCpus,
    kOnReboot,
    kOnDmaFault,
    kCount,
};

constexpr std::size_t kVmKeyCount = static_cast<std::size_t>(VmKey::kCount);
constexpr const char* kVmKeyNames[kVmKeyCount] = {
    "name",    "vcpus",   "memory_mib", "kernel",    "initrd",
    "cmdline", "devices", "cpus",       "on_reboot", "on_dma_fault",
};

// Longest device text worth handing to parse_bdf(): "ssss:bb:dd.f" is 12 characters.
constexpr std::size_t kMaxBdfText = 16;

template <typename... Args>
ManifestError fail(TextPos pos, const Args&... args) {
    return make_manifest_error(pos.line, pos.column, args...);
}

constexpr bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

// Module names come from a `name=ID` token of a module command line, so they hold no spaces.
constexpr bool is_module_char(char c) { return c > ' ' && c < 0x7f; }

Result<void, ManifestError> expect_kind(const Item& item, ValueKind kind) {
    if (item.value.kind == kind) return Ok{};
    return fail(item.value.pos, "expected ", kind_phrase(kind), " for '", item.name, "', got ",
                kind_phrase(item.value.kind));
}

Result<void, ManifestError> expect_array_of(const Item& item, ValueKind kind) {
    const char* plural = kind == ValueKind::kString ? "strings" : "integers";
    if (item.value.kind != ValueKind::kArray) {
        return fail(item.value.pos, "expected an array of ", plural, " for '", item.name, "', got ",
                    kind_phrase(item.value.kind));
    }
    for (std::size_t i = 0; i < item.value.count; ++i) {
        const Scalar& s = item.value.items[i];
        if (s.kind != kind) {
            return fail(s.pos, "expected an array of ", plural, " for '", item.name, "', but item ",
                        i + 1, " is ", kind_phrase(s.kind));
        }
    }
    return Ok{};
}

Result<std::int64_t, ManifestError> integer_in(const Item& item, std::int64_t lo, std::int64_t hi) {
    TRY(expect_kind(item, ValueKind::kInteger));
    const std::int64_t v = item.value.scalar.integer;
    if (v < lo || v > hi) {
        return fail(item.value.pos, item.name, " must be between ", lo, " and ", hi, ", got ", v);
    }
    return v;
}

// For the two-valued settings: false for `first`, true for `second`.
Result<bool, ManifestError> pick(const Item& item, const char* first, const char* second) {
    TRY(expect_kind(item, ValueKind::kString));
    const StrView raw = item.value.scalar.raw;  // the valid spellings contain no escapes
    if (raw == StrView(first)) return false;
    if (raw == StrView(second)) return true;
    return fail(item.value.pos, item.name, " must be \"", first, "\" or \"", second, "\", got \"",
                Clipped{raw}, "\"");
}

template <std::size_t N>
Result<void, ManifestError> take_module_name(const Item& item, const char* what,
                                             FixedString<N>& out) {
    TRY(expect_kind(item, ValueKind::kString));
    const Scalar& s = item.value.scalar;
    if (s.decoded_size < 1 || s.decoded_size > N) {
        return fail(s.pos, what, " module name must be 1 to ", N, " characters, got ",
                    s.decoded_size);
    }
    char buf[N];
    decode_string(s.raw, buf, N);
    for (std::size_t i = 0; i < s.decoded_size; ++i) {
        if (!is_module_char(buf[i])) {
            return fail(s.pos, what, " module name '", Clipped{s.raw},
                        "' may only contain printable ASCII without spaces");
        }
    }
    out.assign(StrView(buf, s.decoded_size));
    return Ok{};
}

class SchemaParser {
  public:
    SchemaParser(StrView text, Manifest& out) : reader_(text), m_(out) {}

    Result<void, ManifestError> run() {
        m_.host = HostSpec{};
        m_.vm_count = 0;
        for (;;) {
            TRY(reader_.next(item_));
            switch (item_.kind) {
                case ItemKind::kTable:
                    TRY(on_table());
                    break;
                case ItemKind::kArrayTable:
                    TRY(on_array_table());
                    break;
                case ItemKind::kKeyValue:
                    TRY(on_key());
                    break;
                case ItemKind::kEnd:
                    if (in_vm_) TRY(finish_vm());
                    if (m_.vm_count == 0) {
                        return fail(TextPos{}, "the manifest defines no VMs (add a [[vm]] table)");
                    }
                    return Ok{};
            }
        }
    }

  private:
    Result<void, ManifestError> on_table() {
        if (in_vm_) TRY(finish_vm());
        in_vm_ = false;
        in_host_ = false;
        if (item_.name == "host") {
            if (m_.host.line != 0) {
                return fail(item_.pos, "duplicate table [host] (first at line ", m_.host.line, ")");
            }
            m_.host.line = item_.pos.line;
            in_host_ = true;
            return Ok{};
        }
        if (item_.name == "vm") return fail(item_.pos, "[vm] holds a list of VMs: write [[vm]]");
        return fail(item_.pos, "unknown table [", Clipped{item_.name},
                    "]; a manifest has only [host] and [[vm]]");
    }

    Result<void, ManifestError> on_array_table() {
        if (in_vm_) TRY(finish_vm());
        in_vm_ = false;
        in_host_ = false;
        if (item_.name == "host")
            return fail(item_.pos, "[[host]] is a single table: write [host]");
        if (item_.name != "vm") {
            return fail(item_.pos, "unknown table [[", Clipped{item_.name},
                        "]]; a manifest has only [host] and [[vm]]");
        }
        if (m_.vm_count == kMaxVms) {
            return fail(item_.pos, "too many VMs: at most ", kMaxVms, " [[vm]] tables");
        }
        VmSpec& vm = m_.vms[m_.vm_count++];
        vm = VmSpec{};
        const std::uint32_t line = item_.pos.line;
        vm.lines = VmLines{line, line, line, line, line, line, line, line, line, line, line};
        for (auto& seen : seen_) seen = 0;
        in_vm_ = true;
        return Ok{};
    }

    Result<void, ManifestError> on_key() {
        if (in_host_) return on_host_key();
        if (in_vm_) return on_vm_key();
        return fail(item_.pos, "key '", Clipped{item_.name},
                    "' is outside any table; put it under [host] or [[vm]]");
    }

    Result<void, ManifestError> duplicate(std::uint32_t first_line) {
        return fail(item_.pos, "duplicate key '", item_.name, "' (first at line ", first_line, ")");
    }

    Result<void, ManifestError> on_host_key() {
        if (item_.name != "on_all_stopped") {
            return fail(item_.pos, "unknown key '", Clipped{item_.name}, "' in [host]");
        }
        if (m_.host.on_all_stopped_line != 0) return duplicate(m_.host.on_all_stopped_line);
        m_.host.on_all_stopped_line = item_.pos.line;
        const bool poweroff = TRY(pick(item_, "halt", "poweroff"));
        m_.host.on_all_stopped = poweroff ? OnAllStopped::kPoweroff : OnAllStopped::kHalt;
        return Ok{};
    }

    Result<void, ManifestError> on_vm_key() {
        std::size_t key = 0;
        while (key < kVmKeyCount && item_.name != StrView(kVmKeyNames[key])) ++key;
        if (key == kVmKeyCount) {
            return fail(item_.pos, "unknown key '", Clipped{item_.name}, "' in [[vm]]");
        }
        if (seen_[key] != 0) return duplicate(seen_[key]);
        seen_[key] = item_.pos.line;

        VmSpec& vm = m_.vms[m_.vm_count - 1];
        const std::uint32_t line = item_.pos.line;
        switch (static_cast<VmKey>(key)) {
            case VmKey::kName:
                vm.lines.name = line;
                return take_name(vm);
            case VmKey::kVcpus:
                vm.lines.vcpus = line;
                vm.vcpus =
                    static_cast<std::uint32_t>(TRY(integer_in(item_, kMinVcpus, kMaxVmVcpus)));
                return Ok{};
            case VmKey::kMemoryMib:
                vm.lines.memory_mib = line;
                vm.memory_mib = static_cast<std::uint64_t>(
                    TRY(integer_in(item_, static_cast<std::int64_t>(kMinMemoryMib),
                                   static_cast<std::int64_t>(kMaxMemoryMib))));
                return Ok{};
            case VmKey::kKernel:
                vm.lines.kernel = line;
                return take_module_name(item_, "kernel", vm.kernel);
            case VmKey::kInitrd:
                vm.lines.initrd = line;
                return take_module_name(item_, "initrd", vm.initrd);
            case VmKey::kCmdline:
                vm.lines.cmdline = line;
                return take_cmdline(vm);
            case VmKey::kDevices:
                vm.lines.devices = line;
                return take_devices(vm);
            case VmKey::kCpus:
                vm.lines.cpus = line;
                return take_cpus(vm);
            case VmKey::kOnReboot:
                vm.lines.on_reboot = line;
                vm.on_reboot =
                    TRY(pick(item_, "restart", "stop")) ? OnReboot::kStop : OnReboot::kRestart;
                return Ok{};
            case VmKey::kOnDmaFault:
                vm.lines.on_dma_fault = line;
                vm.on_dma_fault =
                    TRY(pick(item_, "stop", "report")) ? OnDmaFault::kReport : OnDmaFault::kStop;
                return Ok{};
            case VmKey::kCount:
                break;
        }
        return Ok{};
    }

    Result<void, ManifestError> take_name(VmSpec& vm) {
        TRY(expect_kind(item_, ValueKind::kString));
        const Scalar& s = item_.value.scalar;
        if (s.decoded_size < 1 || s.decoded_size > kMaxNameLen) {
            return fail(s.pos, "name must be 1 to ", kMaxNameLen, " characters, got ",
                        s.decoded_size);
        }
        char buf[kMaxNameLen];
        decode_string(s.raw, buf, kMaxNameLen);
        const StrView name(buf, s.decoded_size);
        for (std::size_t i = 0; i < name.size(); ++i) {
            if (!is_name_char(name[i])) {
                return fail(s.pos, "name '", Clipped{s.raw},
                            "' may only contain letters, digits, '_', '.' and '-'");
            }
        }
        for (std::uint32_t i = 0; i + 1 < m_.vm_count; ++i) {
            if (m_.vms[i].name.view() == name) {
                return fail(s.pos, "duplicate VM name '", name, "' (first at line ",
                            m_.vms[i].lines.name, ")");
            }
        }
        vm.name.assign(name);
        return Ok{};
    }

    Result<void, ManifestError> take_cmdline(VmSpec& vm) {
        TRY(expect_kind(item_, ValueKind::kString));
        const Scalar& s = item_.value.scalar;
        if (s.decoded_size > kMaxCmdlineLen) {
            return fail(s.pos, "cmdline is ", s.decoded_size, " bytes, at most ", kMaxCmdlineLen);
        }
        char buf[kMaxCmdlineLen];
        decode_string(s.raw, buf, kMaxCmdlineLen);
        vm.cmdline.assign(StrView(buf, s.decoded_size));
        return Ok{};
    }

    Result<void, ManifestError> take_devices(VmSpec& vm) {
        TRY(expect_array_of(item_, ValueKind::kString));
        if (item_.value.count > kMaxDevicesPerVm) {
            return fail(item_.value.pos, "devices lists ", item_.value.count,
                        " functions, at most ", kMaxDevicesPerVm, " per VM");
        }
        for (std::size_t i = 0; i < item_.value.count; ++i) {
            const Scalar& s = item_.value.items[i];
            char buf[kMaxBdfText];
            const std::size_t len = decode_string(s.raw, buf, kMaxBdfText);
            auto bdf = pci::parse_bdf(StrView(buf, len <= kMaxBdfText ? len : kMaxBdfText));
            if (len > kMaxBdfText || !bdf.ok()) {
                StrView why = len > kMaxBdfText ? StrView("too long") : StrView(bdf.error().what);
                if (why.starts_with("pci: ")) why = why.substr(5);
                return fail(s.pos, "device '", Clipped{s.raw},
                            "' is not a PCI function like 0000:00:04.0 (", why, ")");
            }
            for (std::uint32_t j = 0; j < vm.device_count; ++j) {
                if (vm.devices[j].bdf == bdf.value()) {
                    return fail(s.pos, "device ", bdf.value(), " listed twice in 'devices'");
                }
            }
            vm.devices[vm.device_count++] = DeviceEntry{bdf.value(), s.pos.line};
        }
        return Ok{};
    }

    Result<void, ManifestError> take_cpus(VmSpec& vm) {
        TRY(expect_array_of(item_, ValueKind::kInteger));
        // The reader caps arrays at kMaxArrayItems == kMaxVcpus; a longer list than vcpus is
        // reported by finish_vm() once vcpus is known.
        static_assert(kMaxArrayItems <= kMaxVcpus);
        for (std::size_t i = 0; i < item_.value.count; ++i) {
            const Scalar& s = item_.value.items[i];
            if (s.integer < 0 || s.integer > kMaxCpuIndex) {
                return fail(s.pos, "cpu index must be between 0 and ", kMaxCpuIndex, ", got ",
                            s.integer);
            }
            const auto cpu = static_cast<std::uint16_t>(s.integer);
            for (std::uint32_t j = 0; j < vm.cpu_count; ++j) {
                if (vm.cpus[j].cpu == cpu) {
                    return fail(s.pos, "cpu ", cpu, " listed twice in 'cpus'");
                }
            }
            vm.cpus[vm.cpu_count++] = CpuPin{cpu, s.pos.line};
        }
        return Ok{};
    }

    Result<void, ManifestError> finish_vm() {
        const VmSpec& vm = m_.vms[m_.vm_count - 1];
        constexpr VmKey kRequired[] = {VmKey::kName, VmKey::kMemoryMib, VmKey::kKernel};
        for (VmKey key : kRequired) {
            if (seen_[static_cast<std::size_t>(key)] == 0) {
                return fail(TextPos{vm.lines.table, 0}, "missing required key '",
                            kVmKeyNames[static_cast<std::size_t>(key)],
                            "' in [[vm]] starting at line ", vm.lines.table);
            }
        }
        if (seen_[static_cast<std::size_t>(VmKey::kCpus)] != 0 && vm.cpu_count != vm.vcpus) {
            return fail(TextPos{vm.lines.cpus, 0}, "cpus lists ", vm.cpu_count,
                        " CPUs but vcpus is ", vm.vcpus, " (one host CPU per vCPU)");
        }
        return Ok{};
    }

    TomlReader reader_;
    Manifest& m_;
    Item item_;
    bool in_host_ = false;
    bool in_vm_ = false;
    std::uint32_t seen_[kVmKeyCount] = {};  // line of each key of the current [[vm]]; 0: absent
};

}  // namespace

const char* name(OnAllStopped v) { return v == OnAllStopped::kPoweroff ? "poweroff" : "halt"; }
const char* name(OnReboot v) { return v == OnReboot::kStop ? "stop" : "restart"; }
const char* name(OnDmaFault v) { return v == OnDmaFault::kReport ? "report" : "stop"; }

Result<void, ManifestError> parse_into(StrView text, Manifest& out) {
    if (text.size() > kMaxManifestBytes) {
        return make_manifest_error(0, 0, "the manifest is ", text.size(), " bytes, at most ",
                                   kMaxManifestBytes);
    }
    SchemaParser parser(text, out);
    return parser.run();
}

Result<void, ManifestError> parse_into(Bytes text, Manifest& out) {
    return parse_into(StrView(reinterpret_cast<const char*>(text.data()), text.size()), out);
}

Result<Manifest, ManifestError> parse(StrView text) {
    Manifest m;
    auto r = parse_into(text, m);
    if (!r.ok()) return r.error();
    return m;
}

Result<Manifest, ManifestError> parse(Bytes text) {
    return parse(StrView(reinterpret_cast<const char*>(text.data()), text.size()));
}

}  // namespace hv::manifest
