// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace weft {

static_assert(std::endian::native == std::endian::little,
              "weft::SmallText packs its size little-endian");

// SmallText is a string of bytes in 16 bytes: up to 15 bytes inline, longer
// ones in a block of its own on the heap. Unlike std::string it holds no
// pointer into itself, so moving one is a copy of its 16 bytes; large arrays
// of records with text fields (keys, names) move, sort and swap at memcpy
// speed, and a record is smaller (std::string is 32 bytes).
//
//   struct Row { std::int64_t id; weft::SmallText key; };
//   Row r{7, "ACC-0001"};
//   std::string_view k = r.key;          // no copy
//   r.key.assign("a key longer than 15 bytes");
//
// Like std::string it is a value: copies are deep, comparisons by bytes.
class SmallText {
 public:
  // kInline is the longest text held without a heap block.
  static constexpr std::size_t kInline = 15;

  SmallText() noexcept { clear_raw(); }
  SmallText(std::string_view s) {
    init(s);
  }  // NOLINT(google-explicit-constructor): like std::string
  SmallText(const char* s)
      : SmallText(std::string_view(s)) {}  // NOLINT(google-explicit-constructor)
  SmallText(const std::string& s)
      : SmallText(std::string_view(s)) {}  // NOLINT(google-explicit-constructor)
  SmallText(const SmallText& o) { init(o.view()); }
  SmallText(SmallText&& o) noexcept {
    std::memcpy(raw_, o.raw_, sizeof raw_);
    o.clear_raw();
  }
  SmallText& operator=(const SmallText& o) {
    if (this != &o) assign(o.view());
    return *this;
  }
  SmallText& operator=(SmallText&& o) noexcept {
    if (this != &o) {
      release();
      std::memcpy(raw_, o.raw_, sizeof raw_);
      o.clear_raw();
    }
    return *this;
  }
  SmallText& operator=(std::string_view s) {
    assign(s);
    return *this;
  }
  SmallText& operator=(const char* s) { return *this = std::string_view(s); }
  SmallText& operator=(const std::string& s) { return *this = std::string_view(s); }
  ~SmallText() { release(); }

  // assign() makes the text `s` (which may view this text's own bytes).
  void assign(std::string_view s) {
    if (s.size() <= kInline) {
      char buf[kInline];
      std::memcpy(buf, s.data(), s.size());  // `s` may be this text's heap block
      release();
      std::memcpy(raw_, buf, s.size());
      raw_[kTag] = static_cast<unsigned char>(s.size());
      return;
    }
    SmallText t(s);
    *this = std::move(t);
  }
  void clear() noexcept {
    release();
    clear_raw();
  }

  std::size_t size() const noexcept {
    if (raw_[kTag] != kHeap) return raw_[kTag];
    std::uint64_t n;
    std::memcpy(&n, raw_ + sizeof(char*), sizeof n);
    return static_cast<std::size_t>(n & kSizeMask);
  }
  bool empty() const noexcept { return size() == 0; }
  const char* data() const noexcept {
    if (raw_[kTag] != kHeap) return reinterpret_cast<const char*>(raw_);
    const char* p;
    std::memcpy(&p, raw_, sizeof p);
    return p;
  }
  char operator[](std::size_t i) const noexcept { return data()[i]; }
  std::string_view view() const noexcept { return {data(), size()}; }
  operator std::string_view() const noexcept {
    return view();
  }  // NOLINT(google-explicit-constructor)
  std::string str() const { return std::string(view()); }
  int compare(std::string_view s) const noexcept { return view().compare(s); }

  // kImage is the size of a text's image: its 16 bytes as they are. An
  // inline text (is_inline()) travels as its image alone: copy_image() writes
  // it, assign_image() takes one back (as a copy would, without the heap).
  static constexpr std::size_t kImage = 16;
  bool is_inline() const noexcept { return raw_[kTag] != kHeap; }
  void copy_image(char* out) const noexcept { std::memcpy(out, raw_, sizeof raw_); }
  // assign_image() needs the image of an inline text (byte 15 at most kInline).
  void assign_image(const char* in) {
    if (static_cast<unsigned char>(in[kTag]) > kInline)
      throw std::invalid_argument("weft::SmallText: not the image of an inline text");
    release();
    std::memcpy(raw_, in, sizeof raw_);
  }

  // Comparisons are by bytes, with SmallText, std::string and text literals.
  friend bool operator==(const SmallText& a, std::string_view b) noexcept { return a.view() == b; }
  friend std::strong_ordering operator<=>(const SmallText& a, std::string_view b) noexcept {
    return a.view() <=> b;
  }

 private:
  // raw_[kTag] is the inline size (0..15), or kHeap: then raw_ holds the
  // heap block's pointer and, in the next 7 bytes, the size (< 2^56).
  static constexpr std::size_t kTag = 15;
  static constexpr unsigned char kHeap = 0xff;
  static constexpr std::uint64_t kSizeMask = (std::uint64_t{1} << 56) - 1;

  void clear_raw() noexcept { std::memset(raw_, 0, sizeof raw_); }
  void init(std::string_view s) {
    clear_raw();
    if (s.size() <= kInline) {
      std::memcpy(raw_, s.data(), s.size());
      raw_[kTag] = static_cast<unsigned char>(s.size());
      return;
    }
    if (s.size() > kSizeMask) throw std::length_error("weft::SmallText: text too long");
    char* p = new char[s.size()];
    std::memcpy(p, s.data(), s.size());
    const std::uint64_t n = s.size();
    std::memcpy(raw_, &p, sizeof p);
    std::memcpy(raw_ + sizeof p, &n, 7);  // little-endian: the low 7 bytes
    raw_[kTag] = kHeap;
  }
  void release() noexcept {
    if (raw_[kTag] == kHeap) delete[] data();
  }

  alignas(8) unsigned char raw_[16];
};

}  // namespace weft
