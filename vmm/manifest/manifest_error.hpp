#pragma once
// ManifestError: why a manifest was refused, and where.
//
// The reason is formatted into a fixed buffer inside the error (no heap, no globals), so an error
// outlives the manifest text and can be printed by the kernel console or by hvmanifest alike:
//
//   vms.toml:7: error: unknown key 'memroy_mib' in [[vm]]
#include <cstddef>
#include <cstdint>

#include "kernel/lib/format.hpp"
#include "kernel/lib/str.hpp"

namespace hv::manifest {

// Longer reasons are cut and end in "...".
inline constexpr std::size_t kMaxReasonLen = 191;

struct ManifestError {
    std::uint32_t line = 0;    // 1-based; 0 when the error concerns the whole text
    std::uint32_t column = 0;  // 1-based byte column in that line; 0 when unknown
    char reason_text[kMaxReasonLen + 1] = {};
    std::uint16_t reason_size = 0;

    [[nodiscard]] constexpr StrView reason() const { return StrView(reason_text, reason_size); }
    [[nodiscard]] constexpr const char* c_str() const { return reason_text; }
};

// Writes into an error's reason; output past the capacity is replaced by "...".
class ReasonSink final : public Sink {
  public:
    explicit ReasonSink(ManifestError& error) : error_(error) {}
    void put(char c) override {
        if (error_.reason_size < kMaxReasonLen) {
            error_.reason_text[error_.reason_size++] = c;
            error_.reason_text[error_.reason_size] = '\0';
            return;
        }
        for (std::size_t i = kMaxReasonLen - 3; i < kMaxReasonLen; ++i) error_.reason_text[i] = '.';
    }

  private:
    ManifestError& error_;
};

// Operator text shown in a reason, cut after `limit` bytes ("..." marks the cut), so one very long
// key or string cannot crowd out the rest of the message.
struct Clipped {
    StrView text;
    std::size_t limit = 40;
};

inline void format_to(Sink& s, Clipped c) {
    if (c.text.size() <= c.limit) {
        s.write(c.text.data(), c.text.size());
        return;
    }
    s.write(c.text.data(), c.limit);
    s.write("...");
}

template <typename... Args>
[[nodiscard]] ManifestError make_manifest_error(std::uint32_t line, std::uint32_t column,
                                                const Args&... args) {
    ManifestError error;
    error.line = line;
    error.column = column;
    ReasonSink sink(error);
    print(sink, args...);
    return error;
}

}  // namespace hv::manifest
