#pragma once
// Optional<T>: a value or nothing, without <optional> (which may throw in hosted builds).
#include <utility>

#include "kernel/lib/result.hpp"

namespace hv {

struct NoneType {};
inline constexpr NoneType kNone{};

template <typename T>
class Optional {
  public:
    constexpr Optional() : has_(false) {}
    constexpr Optional(NoneType) : has_(false) {}
    constexpr Optional(const T& v) : has_(true) { new (&storage_.value) T(v); }
    constexpr Optional(const Optional& o) : has_(o.has_) {
        if (has_) new (&storage_.value) T(o.storage_.value);
    }
    constexpr Optional& operator=(const Optional& o) {
        if (this != &o) {
            reset();
            has_ = o.has_;
            if (has_) new (&storage_.value) T(o.storage_.value);
        }
        return *this;
    }
    constexpr ~Optional() { reset(); }

    constexpr void reset() {
        if (has_) storage_.value.~T();
        has_ = false;
    }
    [[nodiscard]] constexpr bool has_value() const { return has_; }
    constexpr explicit operator bool() const { return has_; }
    constexpr T& operator*() { return storage_.value; }
    constexpr const T& operator*() const { return storage_.value; }
    constexpr T* operator->() { return &storage_.value; }
    constexpr const T* operator->() const { return &storage_.value; }
    constexpr T value_or(T fallback) const { return has_ ? storage_.value : fallback; }

  private:
    union Storage {
        constexpr Storage() {}
        constexpr ~Storage() {}
        T value;
    } storage_;
    bool has_;
};

}  // namespace hv
