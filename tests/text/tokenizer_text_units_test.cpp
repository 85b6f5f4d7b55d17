// The building blocks against Python's own behaviour (expected strings were produced with
// CPython 3.11: bytes.decode("utf-8", "replace") and html.unescape).
#include <gtest/gtest.h>

#include "core/text/clip_tokenizer.h"
#include "core/text/html_unescape.h"
#include "core/text/utf8_codec.h"
#include "tests/support/fixtures.h"

namespace deltaedit::text {
namespace {

std::u32string u32(const std::string& utf8) { return decode_utf8_lenient(utf8); }

TEST(TokenizerUnits, InvalidUtf8DecodesLikePythonReplace) {
  const std::pair<std::string, std::u32string> cases[] = {
      {"face \xff smile", U"face \uFFFD smile"},
      {"\xe2\x82 x", U"\uFFFD x"},
      {"\xf0\x9f\x98", U"\uFFFD"},
      {"\xc0\xaf", U"\uFFFD\uFFFD"},
      {"\xed\xa0\x80"
       "a",
       U"\uFFFD\uFFFD\uFFFD"
       "a"},
      {"ok\xf4\x90\x80\x80", U"ok\uFFFD\uFFFD\uFFFD\uFFFD"},
  };
  for (const auto& [bytes, expected] : cases)
    EXPECT_EQ(decode_utf8_lenient(bytes), expected) << bytes;
  EXPECT_FALSE(decode_utf8_strict("\xed\xa0\x80"));
  EXPECT_EQ(*decode_utf8_strict("\xed\xa0\xbd\xed\xb8\x80", /*allow_cesu_variants=*/true),
            U"\U0001F600");
}

TEST(TokenizerUnits, HtmlUnescapeFollowsPython) {
  const std::pair<std::string, std::string> cases[] = {
      {"&notit;", "¬it;"},
      {"&amp", "&"},
      {"&ampx", "&x"},
      {"&#x263A", "☺"},
      {"&#0;", "\uFFFD"},
      {"&#128;", "€"},
      {"&#xD800;", "\uFFFD"},
      {"&#99999999999;", "\uFFFD"},
      {"&#1;x", "x"},
      {"&Eacute &EACUTE;", "É &EACUTE;"},
      {"a &# b &#x; c", "a &# b &#x; c"},
      {"&lt&gt", "<>"},
      {"&unknown;", "&unknown;"},
  };
  for (const auto& [text, expected] : cases)
    EXPECT_EQ(encode_utf8(python_html_unescape(u32(text))), expected) << text;
}

TEST(TokenizerUnits, FtfyUnescapeOnlyTakesCompleteReferences) {
  // ftfy decodes '&name;' (and all-caps spellings) but leaves '&amp' without ';' alone.
  EXPECT_EQ(encode_utf8(ftfy_unescape_html(u32("P&EACUTE;REZ &amp x &amp;"))), "PÉREZ &amp x &");
  EXPECT_EQ(encode_utf8(ftfy_unescape_html(u32("&#x263A; &#59;"))), "☺ &#59;");
}

TEST(TokenizerUnits, InvalidUtf8PromptTokenizesAsReplacementCharacter) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const ClipTokenizer t =
      ClipTokenizer::from_file(testing::fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  EXPECT_EQ(t.clean("face \xff smile\xe2\x82"), "face \uFFFD smile\uFFFD");
  EXPECT_EQ(t.encode("face \xff smile\xe2\x82"), t.encode("face \uFFFD smile\uFFFD"));
  EXPECT_NO_THROW(t.tokenize({"\xff\xfe\xfd", "\xc3", std::string(1, '\0')}));
}

}  // namespace
}  // namespace deltaedit::text
