// Photo loading and PNG writing: formats, bad files, EXIF orientation, metadata, overwrite.
#include <gtest/gtest.h>

#include <chrono>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/face/image_io.h"
#include "core/face/png_text.h"
#include "tests/face/face_test_support.h"

namespace deltaedit::face {
namespace {

namespace fs = std::filesystem;
using testing::read_bytes;
using testing::scratch_dir;
using testing::write_bytes;

// Runs `load` and returns the ImageError message (empty if nothing was thrown).
template <typename F>
std::string image_error_of(F&& load) {
  try {
    load();
  } catch (const ImageError& e) {
    return e.what();
  }
  return {};
}

void put_be32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back((v >> s) & 0xFF);
}

void put_chunk(std::vector<unsigned char>& png, const char* type,
               const std::vector<unsigned char>& data) {
  put_be32(png, std::uint32_t(data.size()));
  std::vector<unsigned char> body(type, type + 4);
  body.insert(body.end(), data.begin(), data.end());
  png.insert(png.end(), body.begin(), body.end());
  put_be32(png, png_crc32(body));
}

// A palette PNG written by hand (OpenCV cannot write one): zlib "stored" blocks need no deflate.
std::vector<unsigned char> palette_png(int w, int h, const std::vector<cv::Vec3b>& palette,
                                       const std::vector<unsigned char>& alpha,
                                       const std::vector<unsigned char>& indices) {
  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<unsigned char> ihdr;
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  ihdr.insert(ihdr.end(), {8, 3, 0, 0, 0});  // 8-bit palette
  put_chunk(png, "IHDR", ihdr);
  std::vector<unsigned char> plte;
  for (const auto& c : palette) plte.insert(plte.end(), {c[0], c[1], c[2]});
  put_chunk(png, "PLTE", plte);
  put_chunk(png, "tRNS", alpha);
  std::vector<unsigned char> raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), indices.begin() + y * w, indices.begin() + (y + 1) * w);
  }
  std::vector<unsigned char> z = {0x78, 0x01, 0x01};  // zlib header, final stored block
  const auto n = static_cast<std::uint16_t>(raw.size());
  z.insert(z.end(),
           {static_cast<unsigned char>(n & 0xFF), static_cast<unsigned char>(n >> 8),
            static_cast<unsigned char>(~n & 0xFF), static_cast<unsigned char>((~n >> 8) & 0xFF)});
  z.insert(z.end(), raw.begin(), raw.end());
  std::uint32_t a = 1, b = 0;
  for (unsigned char c : raw) a = (a + c) % 65521, b = (b + a) % 65521;
  put_be32(z, (b << 16) | a);
  put_chunk(png, "IDAT", z);
  put_chunk(png, "IEND", {});
  return png;
}

// Inserts an EXIF APP1 segment (big-endian TIFF, one IFD entry: Orientation) after SOI.
std::vector<unsigned char> with_exif_orientation(const std::vector<unsigned char>& jpeg,
                                                 int orientation) {
  std::vector<unsigned char> exif = {'E',  'x',
                                     'i',  'f',
                                     0,    0,
                                     'M',  'M',
                                     0,    42,
                                     0,    0,
                                     0,    8,
                                     0,    1,  // one entry
                                     0x01, 0x12,
                                     0,    3,
                                     0,    0,
                                     0,    1,  // Orientation, SHORT, 1
                                     0,    static_cast<unsigned char>(orientation),
                                     0,    0,
                                     0,    0,
                                     0,    0};  // no next IFD
  std::vector<unsigned char> out(jpeg.begin(), jpeg.begin() + 2);
  const size_t length = exif.size() + 2;
  out.insert(out.end(), {0xFF, 0xE1, static_cast<unsigned char>(length >> 8),
                         static_cast<unsigned char>(length & 0xFF)});
  out.insert(out.end(), exif.begin(), exif.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// A PNG whose IHDR claims w x h (pixel data stays that of a 4x4 image).
std::vector<unsigned char> png_claiming(std::uint32_t w, std::uint32_t h) {
  std::vector<unsigned char> png;
  cv::imencode(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), png);
  for (int i = 0; i < 4; ++i) {
    png[16 + i] = (w >> (24 - 8 * i)) & 0xFF;
    png[20 + i] = (h >> (24 - 8 * i)) & 0xFF;
  }
  const std::uint32_t crc = png_crc32(std::span(png).subspan(12, 17));
  for (int i = 0; i < 4; ++i) png[29 + i] = (crc >> (24 - 8 * i)) & 0xFF;
  return png;
}

TEST(LoadPhoto, MissingFileNamesIt) {
  const fs::path path = scratch_dir("missing") / "nope.jpg";
  const std::string error = image_error_of([&] { load_photo(path); });
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("not found"), std::string::npos) << error;
}

TEST(LoadPhoto, DirectoryIsRefused) {
  const fs::path dir = scratch_dir("dir");
  EXPECT_NE(image_error_of([&] { load_photo(dir); }).find("directory"), std::string::npos);
}

TEST(LoadPhoto, EmptyFileIsRefused) {
  const fs::path path = scratch_dir("empty") / "empty.png";
  write_bytes(path, {});
  const std::string error = image_error_of([&] { load_photo(path); });
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
}

TEST(LoadPhoto, GarbageIsNotAnImage) {
  const fs::path path = scratch_dir("garbage") / "photo.jpg";
  write_bytes(path, std::vector<unsigned char>(1000, 0x42));
  EXPECT_NE(image_error_of([&] { load_photo(path); }).find("not a supported image"),
            std::string::npos);
}

TEST(LoadPhoto, CorruptPngDataIsRefused) {
  const fs::path dir = scratch_dir("corrupt");
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 255);
  std::vector<unsigned char> png;
  cv::imencode(".png", noise, png);
  png[png.size() / 2] ^= 0xFF;  // inside IDAT
  write_bytes(dir / "corrupt.png", png);
  const std::string error = image_error_of([&] { load_photo(dir / "corrupt.png"); });
  EXPECT_NE(error.find("corrupt"), std::string::npos) << error;
}

TEST(LoadPhoto, CorruptJpegDataIsRefused) {
  const fs::path dir = scratch_dir("corruptjpeg");
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(64, 64, CV_8UC3, cv::Scalar(10, 200, 30)), jpeg);
  // Destroy the frame header's marker: the decoder cannot find the image any more.
  for (size_t i = 2; i + 1 < jpeg.size(); ++i)
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 1] = 0x00;
      break;
    }
  write_bytes(dir / "corrupt.jpg", jpeg);
  EXPECT_FALSE(image_error_of([&] { load_photo(dir / "corrupt.jpg"); }).empty());
}

TEST(LoadPhoto, TruncatedFilesAreRefused) {
  const fs::path dir = scratch_dir("truncated");
  cv::Mat gradient(120, 160, CV_8UC3);
  for (int y = 0; y < gradient.rows; ++y)
    for (int x = 0; x < gradient.cols; ++x) gradient.at<cv::Vec3b>(y, x) = cv::Vec3b(x, y, x + y);
  for (const std::string ext : {".png", ".jpg"}) {
    std::vector<unsigned char> bytes;
    cv::imencode(ext, gradient, bytes);
    bytes.resize(bytes.size() * 2 / 3);
    const fs::path path = dir / ("cut" + ext);
    write_bytes(path, bytes);
    const std::string error = image_error_of([&] { load_photo(path); });
    EXPECT_NE(error.find("truncated"), std::string::npos) << ext << ": " << error;
    EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  }
}

TEST(LoadPhoto, ZeroAndAbsurdDimensionsAreRefusedFromTheHeader) {
  const fs::path dir = scratch_dir("dims");
  const struct {
    std::uint32_t w, h;
    const char* expected;
  } cases[] = {{0, 4, "zero size"},
               {30000, 100, "sides over 20000"},
               {19000, 19000, "megapixels are refused"}};
  for (const auto& c : cases) {
    const fs::path path =
        dir / ("claim" + std::to_string(c.w) + "x" + std::to_string(c.h) + ".png");
    write_bytes(path, png_claiming(c.w, c.h));
    const std::string error = image_error_of([&] { load_photo(path); });
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }
}

TEST(LoadPhoto, SixteenBitIsScaledTo8Bit) {
  const fs::path path = scratch_dir("16bit") / "deep.png";
  cv::Mat deep(2, 3, CV_16UC3, cv::Scalar(0, 100 * 257, 65535));  // OpenCV writes BGR
  deep.at<cv::Vec3w>(1, 2) = cv::Vec3w(32896, 257, 128);
  ASSERT_TRUE(cv::imwrite(path.string(), deep));
  const RgbImage img = load_photo(path);
  ASSERT_EQ(img.pixels.type(), CV_8UC3);
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 100, 0));
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(1, 2), cv::Vec3b(0, 1, 128));  // 128/257 rounds to 0
}

TEST(LoadPhoto, GrayscaleBecomesRgb) {
  const fs::path path = scratch_dir("gray") / "gray.png";
  cv::Mat gray(5, 7, CV_8UC1, cv::Scalar(77));
  gray.at<uchar>(4, 6) = 200;
  ASSERT_TRUE(cv::imwrite(path.string(), gray));
  const RgbImage img = load_photo(path);
  EXPECT_EQ(img.width(), 7);
  EXPECT_EQ(img.height(), 5);
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(77, 77, 77));
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(4, 6), cv::Vec3b(200, 200, 200));
}

TEST(LoadPhoto, RgbaIsCompositedOverWhite) {
  const fs::path path = scratch_dir("rgba") / "rgba.png";
  cv::Mat bgra(1, 3, CV_8UC4);
  bgra.at<cv::Vec4b>(0, 0) = cv::Vec4b(0, 0, 255, 255);  // opaque red
  bgra.at<cv::Vec4b>(0, 1) = cv::Vec4b(0, 0, 255, 0);    // invisible
  bgra.at<cv::Vec4b>(0, 2) = cv::Vec4b(0, 0, 255, 128);  // half red
  ASSERT_TRUE(cv::imwrite(path.string(), bgra));
  const RgbImage img = load_photo(path);
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 0));
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 255, 255));
  // 255 * 127 / 255 = 127 of white where the red does not cover.
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 2), cv::Vec3b(255, 127, 127));
}

TEST(LoadPhoto, PaletteWithTransparencyIsCompositedOverWhite) {
  const fs::path path = scratch_dir("palette") / "palette.png";
  write_bytes(path, palette_png(2, 2, {{10, 20, 30}, {200, 0, 0}, {0, 0, 200}}, {255, 0, 51},
                                {0, 1, 2, 0}));
  const RgbImage img = load_photo(path);
  ASSERT_EQ(img.width(), 2);
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 255, 255));
  // alpha 51/255 = 0.2: 0.2 * 200 + 0.8 * 255 = 244 for blue, 204 for the others
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(1, 0), cv::Vec3b(204, 204, 244));
  EXPECT_EQ(img.pixels.at<cv::Vec3b>(1, 1), cv::Vec3b(10, 20, 30));
}

TEST(LoadPhoto, ExifOrientationSixRotatesClockwise) {
  const fs::path dir = scratch_dir("exif");
  // 64 wide, 32 high; quadrants red, green (top) / blue, white (bottom), in RGB.
  cv::Mat bgr(32, 64, CV_8UC3);
  bgr(cv::Rect(0, 0, 32, 16)).setTo(cv::Scalar(0, 0, 255));
  bgr(cv::Rect(32, 0, 32, 16)).setTo(cv::Scalar(0, 255, 0));
  bgr(cv::Rect(0, 16, 32, 16)).setTo(cv::Scalar(255, 0, 0));
  bgr(cv::Rect(32, 16, 32, 16)).setTo(cv::Scalar(255, 255, 255));
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95});
  write_bytes(dir / "plain.jpg", jpeg);
  write_bytes(dir / "rotated.jpg", with_exif_orientation(jpeg, 6));

  const RgbImage plain = load_photo(dir / "plain.jpg");
  const RgbImage rotated = load_photo(dir / "rotated.jpg");
  ASSERT_EQ(plain.width(), 64);
  ASSERT_EQ(rotated.width(), 32);
  ASSERT_EQ(rotated.height(), 64);
  cv::Mat expected;
  cv::rotate(plain.pixels, expected, cv::ROTATE_90_CLOCKWISE);
  EXPECT_EQ(cv::norm(expected, rotated.pixels, cv::NORM_INF), 0.0);
  // Rotated clockwise, the stored bottom-left (blue) is now top-left, red is top-right.
  const auto near = [](cv::Vec3b a, cv::Vec3b b) { return cv::norm(a, b, cv::NORM_INF) < 12; };
  EXPECT_TRUE(near(rotated.pixels.at<cv::Vec3b>(8, 8), cv::Vec3b(0, 0, 255)));
  EXPECT_TRUE(near(rotated.pixels.at<cv::Vec3b>(8, 24), cv::Vec3b(255, 0, 0)));
  EXPECT_TRUE(near(rotated.pixels.at<cv::Vec3b>(56, 24), cv::Vec3b(0, 255, 0)));
  EXPECT_TRUE(near(rotated.pixels.at<cv::Vec3b>(56, 8), cv::Vec3b(255, 255, 255)));
}

TEST(SavePng, TextChunksRoundTripAndPixelsAreExact) {
  const fs::path path = scratch_dir("text") / "edit.png";
  cv::Mat pixels(33, 47, CV_8UC3);
  cv::randu(pixels, 0, 255);
  const TextChunks metadata = {{"deltaedit:prompt", "a face with a smile"},
                               {"deltaedit:unicode", "caf\xC3\xA9 \xE2\x80\x93 \xE7\xAC\x91"},
                               {"Comment", "two\nlines"}};
  save_png(path, RgbImage{pixels}, metadata);
  EXPECT_EQ(read_png_text(path), metadata);
  EXPECT_EQ(cv::norm(load_photo(path).pixels, pixels, cv::NORM_INF), 0.0);
}

TEST(SavePng, BadKeyIsRefused) {
  const fs::path path = scratch_dir("badkey") / "edit.png";
  const RgbImage img{cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(9))};
  EXPECT_THROW(save_png(path, img, {{"", "x"}}), ImageError);
  EXPECT_THROW(save_png(path, img, {{std::string(80, 'k'), "x"}}), ImageError);
  EXPECT_FALSE(fs::exists(path));
}

TEST(SavePng, NeverOverwritesWithoutTheFlag) {
  const fs::path dir = scratch_dir("overwrite");
  const fs::path path = dir / "out.png";
  const RgbImage first{cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(10))};
  const RgbImage second{cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(200))};
  save_png(path, first);
  const std::string error = image_error_of([&] { save_png(path, second); });
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("exists"), std::string::npos) << error;
  EXPECT_EQ(load_photo(path).pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 10, 10));

  save_png(path, second, {}, /*overwrite=*/true);
  EXPECT_EQ(load_photo(path).pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(200, 200, 200));
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1) << "temporary files left behind";
}

TEST(SavePng, UnwritableFolderNamesTheFile) {
  const fs::path path = scratch_dir("nofolder") / "missing" / "out.png";
  const std::string error =
      image_error_of([&] { save_png(path, RgbImage{cv::Mat(2, 2, CV_8UC3)}); });
  EXPECT_NE(error.find("out.png"), std::string::npos) << error;
}

TEST(PngText, CrcMismatchIsReported) {
  std::vector<unsigned char> png;
  cv::imencode(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(3)), png);
  png = insert_png_text(png, {{"k", "value"}});
  EXPECT_EQ(parse_png_text(png, "mem.png"), (TextChunks{{"k", "value"}}));
  png[33 + 8 + 2] ^= 1;  // a byte of the tEXt data right after IHDR
  EXPECT_THROW(parse_png_text(png, "mem.png"), ImageError);
}

}  // namespace
}  // namespace deltaedit::face
