#include "multiboot.hpp"

#include <stddef.h>

#include "libc.hpp"

namespace rt {
namespace {

const MultibootInfo* g_info;

bool has(uint32_t flag) { return g_info != nullptr && (g_info->flags & flag) != 0; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

void multiboot_init(uint32_t mbi_address) {
    g_info = reinterpret_cast<const MultibootInfo*>(mbi_address);
}

const MultibootInfo* multiboot_info() { return g_info; }

const char* cmdline() {
    if (!has(kMultibootInfoCmdline) || g_info->cmdline == 0) return "";
    return reinterpret_cast<const char*>(g_info->cmdline);
}

bool memory_region(uint32_t index, MemoryRegion* out) {
    if (!has(kMultibootInfoMmap)) return false;
    // Entries are `size` (excluding itself) followed by base, length, type, unaligned (sec 3.3).
    uint32_t offset = 0;
    while (offset + 24 <= g_info->mmap_length) {
        const uint8_t* entry = reinterpret_cast<const uint8_t*>(g_info->mmap_addr + offset);
        uint32_t size;
        memcpy(&size, entry, 4);
        if (index == 0) {
            memcpy(&out->base, entry + 4, 8);
            memcpy(&out->length, entry + 12, 8);
            memcpy(&out->type, entry + 20, 4);
            return true;
        }
        --index;
        offset += size + 4;
    }
    return false;
}

uint64_t ram_top() {
    uint64_t top = 0;
    MemoryRegion r;
    for (uint32_t i = 0; memory_region(i, &r); ++i) {
        if (r.type == kMemoryAvailable && r.end() > top) top = r.end();
    }
    return top;
}

uint32_t module_count() { return has(kMultibootInfoMods) ? g_info->mods_count : 0; }

const MultibootModule* module(uint32_t index) {
    if (index >= module_count()) return nullptr;
    return reinterpret_cast<const MultibootModule*>(g_info->mods_addr) + index;
}

uint32_t string_length(const char* s) { return static_cast<uint32_t>(strlen(s)); }

bool StringView::equals(const char* s) const {
    return string_length(s) == length && memcmp(s, data, length) == 0;
}

bool StringView::ends_with(const char* s) const {
    uint32_t n = string_length(s);
    return n <= length && memcmp(s, data + length - n, n) == 0;
}

bool cmdline_value(const char* key, StringView* value) {
    const char* p = cmdline();
    uint32_t key_length = string_length(key);
    while (*p != '\0') {
        while (is_space(*p)) ++p;
        const char* token = p;
        while (*p != '\0' && !is_space(*p)) ++p;
        uint32_t token_length = static_cast<uint32_t>(p - token);
        if (token_length > key_length && token[key_length] == '=' &&
            memcmp(token, key, key_length) == 0) {
            value->data = token + key_length + 1;
            value->length = token_length - key_length - 1;
            return true;
        }
    }
    return false;
}

bool parse_u64(StringView text, uint64_t* value) {
    uint32_t i = 0;
    uint32_t base = 10;
    if (text.length > 2 && text.data[0] == '0' && (text.data[1] == 'x' || text.data[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == text.length) return false;
    uint64_t v = 0;
    for (; i < text.length; ++i) {
        char c = text.data[i];
        uint32_t digit;
        if (c >= '0' && c <= '9') {
            digit = static_cast<uint32_t>(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            digit = static_cast<uint32_t>(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            digit = static_cast<uint32_t>(c - 'A' + 10);
        } else {
            return false;
        }
        if (v > (~uint64_t{0} >> 4)) return false;  // would overflow (conservative for base 10)
        v = v * base + digit;
    }
    *value = v;
    return true;
}

uint64_t cmdline_u64(const char* key, uint64_t fallback) {
    StringView text;
    uint64_t v;
    if (cmdline_value(key, &text) && parse_u64(text, &v)) return v;
    return fallback;
}

}  // namespace rt
