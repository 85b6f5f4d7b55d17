// A missing or damaged vocabulary file must fail with an error that names the file.
#include <gtest/gtest.h>

#include <fstream>

#include "core/io/model_file_error.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/gzip_file.h"
#include "tests/support/fixtures.h"

namespace deltaedit::text {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}


// Expects from_file to throw ModelFileError naming `path` and mentioning `problem`.
void expect_rejected(const fs::path& path, const std::string& problem) {
  try {
    ClipTokenizer::from_file(path);
    ADD_FAILURE() << "accepted " << path;
  } catch (const io::ModelFileError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
  }
}

TEST(GzipFile, CompressedBytesReadBackAndAreTheSameEveryTime) {
  std::string plain = "#version: 0.2\n";
  for (int i = 0; i < 2000; ++i) plain += "t h" + std::to_string(i % 37) + "\n";
  const std::string once = gzip_compress(plain);
  EXPECT_EQ(once, gzip_compress(plain));  // mtime 0: a committed vocabulary is reproducible
  EXPECT_LT(once.size(), plain.size() / 4);
  const fs::path path = testing::temp_dir("gzip_round_trip") / "x.gz";
  write_file(path, once);
  EXPECT_EQ(read_gzip_file(path), plain);
  write_file(path, gzip_compress(""));
  EXPECT_EQ(read_gzip_file(path), "");
}

TEST(TokenizerErrors, MissingFile) {
  expect_rejected(testing::temp_dir("tok_missing") / "nope.txt.gz", "cannot open");
}

TEST(TokenizerErrors, NotGzip) {
  const fs::path path = testing::temp_dir("tok_not_gzip") / "vocab.txt.gz";
  write_file(path, "#version: 0.2\ni n\nt h\n and more plain text that is not compressed");
  expect_rejected(path, "not a gzip file");
}

TEST(TokenizerErrors, TruncatedGzip) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const std::string whole =
      testing::read_text(testing::fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  const fs::path path = testing::temp_dir("tok_truncated") / "vocab.txt.gz";
  write_file(path, whole.substr(0, whole.size() / 2));
  expect_rejected(path, "truncated");
}

TEST(TokenizerErrors, CorruptGzip) {
  DELTAEDIT_REQUIRE_FIXTURES();
  std::string bytes = testing::read_text(testing::fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  for (size_t i = 100; i < 400; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  const fs::path path = testing::temp_dir("tok_corrupt") / "vocab.txt.gz";
  write_file(path, bytes);
  expect_rejected(path, "corrupt gzip");
}

// A short merges file is a smaller vocabulary (small_vocabulary_test.cpp), but one without a
// single merge is not a merges file, nor is other text.
TEST(TokenizerErrors, NoMerges) {
  const fs::path path = testing::temp_dir("tok_short") / "vocab.txt.gz";
  write_file(path, gzip_compress("#version: 0.2\n"));
  expect_rejected(path, "no merges");
  write_file(path, gzip_compress("#version: 0.2"));
  expect_rejected(path, "no merges");
}

TEST(TokenizerErrors, OtherText) {
  const fs::path path = testing::temp_dir("tok_other_text") / "vocab.txt.gz";
  write_file(path, gzip_compress("Dear reader,\nthis is a letter, not BPE merges.\n"));
  expect_rejected(path, "line 2 is not two symbols");
}

TEST(TokenizerErrors, MalformedMergeLine) {
  std::string text = "#version: 0.2\n";
  for (int i = 0; i < 49000; ++i) text += (i == 10 ? "just_one_symbol\n" : "a b\n");
  const fs::path path = testing::temp_dir("tok_malformed") / "vocab.txt.gz";
  write_file(path, gzip_compress(text));
  expect_rejected(path, "line 12");
}

}  // namespace
}  // namespace deltaedit::text
