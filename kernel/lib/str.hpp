#pragma once
// StrView: a non-owning string slice (std::string_view's throwing members are unusable in the
// freestanding kernel).
#include <cstddef>

#include "kernel/lib/format.hpp"

namespace hv {

class StrView {
  public:
    constexpr StrView() = default;
    constexpr StrView(const char* s, std::size_t n) : data_(s), size_(n) {}
    constexpr StrView(const char* s) : data_(s), size_(0) {  // NOLINT: implicit from literals
        while (s && s[size_]) ++size_;
    }
    [[nodiscard]] constexpr const char* data() const { return data_; }
    [[nodiscard]] constexpr std::size_t size() const { return size_; }
    [[nodiscard]] constexpr bool empty() const { return size_ == 0; }
    constexpr char operator[](std::size_t i) const { return data_[i]; }
    [[nodiscard]] constexpr StrView substr(std::size_t pos, std::size_t n = ~std::size_t{0}) const {
        if (pos > size_) pos = size_;
        if (n > size_ - pos) n = size_ - pos;
        return StrView(data_ + pos, n);
    }
    [[nodiscard]] constexpr bool starts_with(StrView p) const {
        return p.size_ <= size_ && substr(0, p.size_) == p;
    }
    [[nodiscard]] constexpr std::size_t find(char c, std::size_t from = 0) const {
        for (std::size_t i = from; i < size_; ++i)
            if (data_[i] == c) return i;
        return npos;
    }
    friend constexpr bool operator==(StrView a, StrView b) {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (a.data_[i] != b.data_[i]) return false;
        return true;
    }
    static constexpr std::size_t npos = ~std::size_t{0};

  private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

inline void format_to(Sink& s, StrView v) { s.write(v.data(), v.size()); }

}  // namespace hv
