#include "core/text/clip_pretokenizer.h"

#include <unicode/uchar.h>

#include "core/text/clip_text_cleaner.h"

namespace deltaedit::text {
namespace {

// Under IGNORECASE the `regex` package accepts a character for a property when any of its
// case variants has it (e.g. U+0345 COMBINING YPOGEGRAMMENI counts as a letter via ι).
template <typename Test>
bool any_case_variant(char32_t c, Test&& test) {
  const auto ch = static_cast<UChar32>(c);
  return test(ch) || test(u_tolower(ch)) || test(u_toupper(ch)) || test(u_totitle(ch)) ||
         test(u_foldCase(ch, U_FOLD_CASE_DEFAULT));
}

bool is_letter(char32_t c) {
  return any_case_variant(c, [](UChar32 x) { return (U_GET_GC_MASK(x) & U_GC_L_MASK) != 0; });
}
bool is_number(char32_t c) {
  return any_case_variant(c, [](UChar32 x) { return (U_GET_GC_MASK(x) & U_GC_N_MASK) != 0; });
}
bool is_space(char32_t c) {
  return is_python_whitespace(c) || u_isUWhiteSpace(static_cast<UChar32>(c));
}

bool same_ignoring_case(char32_t text_char, char32_t pattern_char) {
  return u_foldCase(static_cast<UChar32>(text_char), U_FOLD_CASE_DEFAULT) ==
         u_foldCase(static_cast<UChar32>(pattern_char), U_FOLD_CASE_DEFAULT);
}

bool literal_at(std::u32string_view text, size_t i, std::u32string_view literal) {
  if (i + literal.size() > text.size()) return false;
  for (size_t k = 0; k < literal.size(); ++k)
    if (!same_ignoring_case(text[i + k], literal[k])) return false;
  return true;
}

// Length of the token the pattern matches at i (alternatives in order), 0 if none.
size_t match_at(std::u32string_view text, size_t i) {
  static constexpr std::u32string_view kLiterals[] = {
      U"<|startoftext|>", U"<|endoftext|>", U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};
  for (std::u32string_view literal : kLiterals)
    if (literal_at(text, i, literal)) return literal.size();
  size_t end = i;
  while (end < text.size() && is_letter(text[end])) ++end;
  if (end > i) return end - i;
  if (is_number(text[i])) return 1;
  while (end < text.size() && !is_space(text[end]) && !is_letter(text[end]) &&
         !is_number(text[end]))
    ++end;
  return end - i;
}

}  // namespace

std::vector<std::u32string> clip_pretokenize(std::u32string_view cleaned_text) {
  std::vector<std::u32string> words;
  for (size_t i = 0; i < cleaned_text.size();) {
    if (const size_t n = match_at(cleaned_text, i); n > 0) {
      words.emplace_back(cleaned_text.substr(i, n));
      i += n;
    } else {
      ++i;  // whitespace: re.findall moves on
    }
  }
  return words;
}

}  // namespace deltaedit::text
