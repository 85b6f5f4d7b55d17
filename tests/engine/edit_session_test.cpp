#include <gtest/gtest.h>

#include <fstream>

#include "core/engine/edit_session.h"
#include "tests/support/fixtures.h"

namespace {

using namespace deltaedit::engine;
namespace fs = std::filesystem;

EditSession sample_session() {
  torch::manual_seed(7);
  EditSession s;
  s.photo = "/photos/portrait é.jpg";
  s.face_index = 1;
  s.quad = {10.5, 20.25, 11, 300, 310, 301, 309, 19};
  s.wplus = torch::randn({1, 10, 64});
  s.base_s = torch::randn({1, 544});
  s.image_embedding = torch::nn::functional::normalize(torch::randn({1, 64}),
                                                       torch::nn::functional::NormalizeFuncOptions().dim(1));
  s.edits = {{"face", "face with a smile", 1.5, 0.03}, {"face", "face with glasses", -0.25, 0.05}};
  return s;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(data.data(), static_cast<std::streamsize>(data.size()));
}

TEST(EditSession, RoundTripIsExact) {
  const auto dir = deltaedit::testing::temp_dir("session");
  const EditSession s = sample_session();
  save_session(dir / "a.deltaedit", s);
  const EditSession back = load_session(dir / "a.deltaedit");
  EXPECT_TRUE(back == s);
  EXPECT_TRUE(torch::equal(back.base_s, s.base_s));  // bit-exact floats
  EXPECT_EQ(back.edits[1].strength, -0.25);
  EXPECT_EQ(back.photo, s.photo);
  // Saving over an existing session replaces it atomically (no temp file left behind).
  EditSession changed = s;
  changed.edits.pop_back();
  save_session(dir / "a.deltaedit", changed);
  EXPECT_TRUE(load_session(dir / "a.deltaedit") == changed);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
}

TEST(EditSession, EmptySessionRoundTrips) {
  const auto dir = deltaedit::testing::temp_dir("session");
  EditSession s;
  s.photo = "x.png";
  save_session(dir / "e.deltaedit", s);
  EXPECT_TRUE(load_session(dir / "e.deltaedit") == s);
}

TEST(EditSession, TruncatedFileIsRefused) {
  const auto dir = deltaedit::testing::temp_dir("session");
  save_session(dir / "a.deltaedit", sample_session());
  const std::string data = read_all(dir / "a.deltaedit");
  for (size_t keep : {size_t{0}, size_t{10}, data.size() / 2, data.size() - 1}) {
    write_all(dir / "t.deltaedit", data.substr(0, keep));
    try {
      load_session(dir / "t.deltaedit");
      ADD_FAILURE() << "a session cut to " << keep << " bytes was accepted";
    } catch (const SessionFileError& e) {
      EXPECT_NE(std::string(e.what()).find("t.deltaedit"), std::string::npos) << e.what();
    }
  }
}

TEST(EditSession, AlteredFileIsRefused) {
  const auto dir = deltaedit::testing::temp_dir("session");
  save_session(dir / "a.deltaedit", sample_session());
  std::string data = read_all(dir / "a.deltaedit");
  for (size_t pos : {size_t{40}, data.size() / 2, data.size() - 40, data.size() - 1}) {
    std::string bad = data;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    write_all(dir / "x.deltaedit", bad);
    EXPECT_THROW(load_session(dir / "x.deltaedit"), SessionFileError) << "flip at " << pos;
  }
}

TEST(EditSession, NewerVersionAndForeignFilesAreRefusedClearly) {
  const auto dir = deltaedit::testing::temp_dir("session");
  save_session(dir / "a.deltaedit", sample_session());
  std::string data = read_all(dir / "a.deltaedit");
  data[16] = 99;  // version field follows the 16-byte magic
  write_all(dir / "new.deltaedit", data);
  try {
    load_session(dir / "new.deltaedit");
    ADD_FAILURE();
  } catch (const SessionFileError& e) {
    EXPECT_NE(std::string(e.what()).find("newer version"), std::string::npos) << e.what();
  }
  write_all(dir / "foreign.deltaedit", "PK\x03\x04 not a session at all, but long enough to have a header");
  EXPECT_THROW(load_session(dir / "foreign.deltaedit"), SessionFileError);
  EXPECT_THROW(load_session(dir / "missing.deltaedit"), SessionFileError);
}

}  // namespace
