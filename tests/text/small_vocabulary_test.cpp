// A merges file shorter than CLIP's gives SimpleTokenizer's smaller vocabulary: the byte
// alphabet twice (512), one token per merge line after the header, an empty token for a final
// newline (Python's split('\n') gives an empty last line), then <|startoftext|>, <|endoftext|>.
#include <gtest/gtest.h>

#include <fstream>

#include "core/io/model_file_error.h"
#include "core/nets/clip/clip_model.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/gzip_file.h"
#include "core/text/text_direction.h"
#include "tests/support/fixtures.h"

namespace deltaedit::text {
namespace {

namespace fs = std::filesystem;

fs::path write_gzip(const std::string& tag, const std::string& plain) {
  const std::string out = gzip_compress(plain);
  const fs::path path = testing::temp_dir(tag) / "vocab.txt.gz";
  std::ofstream(path, std::ios::binary) << out;
  return path;
}

// Merges that build "smile</w>" and "face</w>" (the symbols as BPE sees them).
const char* const kMerges =
    "#version: 0.2\n"
    "s m\n"
    "sm i\n"
    "l e</w>\n"
    "smi le</w>\n"
    "f a\n"
    "c e</w>\n"
    "fa ce</w>";

TEST(SmallVocabulary, SizeAndSpecialTokensFollowTheFile) {
  const auto tok = ClipTokenizer::from_file(write_gzip("small_vocab", kMerges));
  EXPECT_EQ(tok.vocab_size(), 512 + 7 + 2);
  EXPECT_EQ(tok.sot(), 512 + 7);
  EXPECT_EQ(tok.eot(), 512 + 7 + 1);
  const auto ids = tok.tokenize({"Smile face"}, 6);
  EXPECT_EQ(ids.sizes(), (std::vector<int64_t>{1, 6}));
  // SOT, "smile</w>" (the 4th merge: 512 + 3), "face</w>" (512 + 6), EOT, padding.
  const std::vector<int64_t> expected = {512 + 7, 512 + 3, 512 + 6, 512 + 8, 0, 0};
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(ids[0][i].item<int64_t>(), expected[i]) << i;
}

TEST(SmallVocabulary, UnmergedWordsFallBackToBytes) {
  const auto tok = ClipTokenizer::from_file(write_gzip("small_vocab_bytes", kMerges));
  // "fa" is a merge but "fab</w>" is not: "fa", then "b</w>" (byte 'b' + 256).
  const auto ids = tok.encode("fab");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], 512 + 4);
  EXPECT_EQ(ids[1], static_cast<int64_t>('b' - '!') + 256);  // printable bytes start at '!'
}

TEST(SmallVocabulary, FinalNewlineAddsAnEmptyToken) {
  const auto tok = ClipTokenizer::from_file(write_gzip("small_vocab_nl", std::string(kMerges) + "\n"));
  EXPECT_EQ(tok.vocab_size(), 512 + 7 + 1 + 2);
  EXPECT_EQ(tok.sot(), 512 + 8);
  EXPECT_EQ(tok.encode("face"), std::vector<int64_t>{512 + 6});
}

TEST(SmallVocabulary, OfficialFileStillUsesItsFirst48894Merges) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto tok = ClipTokenizer::from_file(testing::fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  EXPECT_EQ(tok.vocab_size(), 49408);
  EXPECT_EQ(tok.sot(), 49406);
  EXPECT_EQ(tok.eot(), 49407);
}

TEST(SmallVocabulary, ClipWithAnotherVocabularySizeIsRefusedNamingBothFiles) {
  const fs::path vocab = write_gzip("small_vocab_mismatch", kMerges);
  auto tok = std::make_shared<const ClipTokenizer>(ClipTokenizer::from_file(vocab));
  nets::ClipConfig c;
  c.embed_dim = 64;
  c.image_resolution = 64;
  c.vision_patch_size = 32;
  c.vision_width = 64;
  c.vision_layers = 1;
  c.vision_heads = 1;
  c.context_length = 8;
  c.vocab_size = 600;  // not 521
  c.transformer_width = 64;
  c.transformer_heads = 1;
  c.transformer_layers = 1;
  try {
    TextDirectionEncoder enc(nets::ClipModel(c), tok, "models/clip.pt");
    ADD_FAILURE() << "accepted a 600-token CLIP with a 521-token vocabulary";
  } catch (const io::ModelFileError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), vocab);
    EXPECT_NE(what.find(vocab.string()), std::string::npos) << what;
    EXPECT_NE(what.find("models/clip.pt"), std::string::npos) << what;
    EXPECT_NE(what.find("521"), std::string::npos) << what;
    EXPECT_NE(what.find("600"), std::string::npos) << what;
  }
  c.vocab_size = 521;
  EXPECT_NO_THROW(TextDirectionEncoder(nets::ClipModel(c), tok));
}

}  // namespace
}  // namespace deltaedit::text
