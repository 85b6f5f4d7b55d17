// ftfy behaviour beyond the tokenizer fixture, checked against the examples that ftfy 6.x
// documents in its own docstrings (fix_text, fix_encoding_and_explain, unescape_html,
// fix_character_width, fix_line_breaks, remove_terminal_escapes).
#include <gtest/gtest.h>

#include "core/text/ftfy_fix_text.h"
#include "core/text/ftfy_fixes.h"
#include "core/text/html_unescape.h"
#include "core/text/mojibake_repair.h"
#include "core/text/utf8_codec.h"

namespace deltaedit::text {
namespace {

std::string fix_text(const std::string& s) {
  return encode_utf8(ftfy_fix_text(decode_utf8_lenient(s)));
}

TEST(TokenizerFtfy, FixTextDocumentedExamples) {
  EXPECT_EQ(fix_text("\u00e2\u0153\u201d No problems"), "\u2714 No problems");
  EXPECT_EQ(fix_text("&macr;\\_(\u00e3\u0083\u0084)_/&macr;"), "\u00af\\_(\u30c4)_/\u00af");
  EXPECT_EQ(fix_text("\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33"),
            "LOUD NOISES");
}

TEST(TokenizerFtfy, FixEncodingDocumentedExamples) {
  auto fix = [](const std::string& s) { return encode_utf8(fix_encoding(decode_utf8_lenient(s))); };
  EXPECT_EQ(fix("s\u00c3\u00b3"), "s\u00f3");
  EXPECT_EQ(fix("voil\u00c3 le travail"), "voil\u00e0 le travail");  // restore_byte_a0
  EXPECT_EQ(fix("\u00c3\u00b3"), "\u00f3");
  EXPECT_EQ(fix("&ATILDE;&SUP3;"), "&ATILDE;&SUP3;");
}

TEST(TokenizerFtfy, UnescapeHtmlDocumentedExamples) {
  auto unescape = [](const std::string& s) {
    return encode_utf8(ftfy_unescape_html(decode_utf8_lenient(s)));
  };
  EXPECT_EQ(unescape("&lt;tag&gt;"), "<tag>");
  EXPECT_EQ(unescape("&Jscr;ohn &HilbertSpace;ancock"), "\U0001d4a5ohn \u210bancock");
  EXPECT_EQ(unescape("&checkmark;"), "\u2713");
  EXPECT_EQ(unescape("P&eacute;rez"), "P\u00e9rez");
  EXPECT_EQ(unescape("P&EACUTE;REZ"), "P\u00c9REZ");
  EXPECT_EQ(unescape("BUNDESSTRA&SZLIG;E"), "BUNDESSTRASSE");
  EXPECT_EQ(unescape("&ntilde; &Ntilde; &NTILDE; &nTILDE;"), "\u00f1 \u00d1 \u00d1 &nTILDE;");
}

TEST(TokenizerFtfy, SmallFixersDocumentedExamples) {
  auto u = [](const std::string& s) { return decode_utf8_lenient(s); };
  EXPECT_EQ(encode_utf8(fix_character_width(u("\uff35\uff80\uff70\uff9d"))), "U\u30bf\u30fc\u30f3");
  EXPECT_EQ(encode_utf8(fix_line_breaks(u("Content-type: text/plain\r\n\r\nHi."))),
            "Content-type: text/plain\n\nHi.");
  EXPECT_EQ(
      encode_utf8(remove_terminal_escapes(u("\x1b[36;44mI'm blue, da ba dee da ba doo...\x1b[0m"))),
      "I'm blue, da ba dee da ba doo...");
  EXPECT_EQ(encode_utf8(fix_latin_ligatures(u("\ufb02u\ufb03e\ufb06"))), "fluffiest");
  EXPECT_EQ(encode_utf8(uncurl_quotes(u("\u201chere\u2019s a test\u201d"))), "\"here's a test\"");
  EXPECT_EQ(fix_surrogates(std::u32string{0xD83D, 0xDCA9}), U"\U0001F4A9");
  EXPECT_EQ(fix_surrogates(std::u32string{0xDCA9, 0xD83D}), U"\uFFFD\uFFFD");
}

}  // namespace
}  // namespace deltaedit::text
