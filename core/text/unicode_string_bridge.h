#pragma once
// Conversions between the tokenizer's code-point strings and ICU's UTF-16 UnicodeString, for
// the steps that use ICU services (normalization, case mapping, regular expressions).
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <string>
#include <string_view>

namespace deltaedit::text {

inline icu::UnicodeString to_unicode_string(std::u32string_view text) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                       static_cast<int32_t>(text.size()));
}

inline std::u32string from_unicode_string(const icu::UnicodeString& text) {
  std::u32string out(static_cast<size_t>(text.countChar32()), U'\0');
  UErrorCode status = U_ZERO_ERROR;
  const int32_t n = text.toUTF32(reinterpret_cast<UChar32*>(out.data()),
                                 static_cast<int32_t>(out.size()), status);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::u32string normalize_with(const icu::Normalizer2& normalizer, std::u32string_view text);

}  // namespace deltaedit::text
