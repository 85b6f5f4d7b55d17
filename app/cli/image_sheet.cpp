#include "app/cli/image_sheet.h"

#include <iostream>

#include <opencv2/imgcodecs.hpp>

#include "app/cli/exit_codes.h"

namespace deltaedit::cli {

cv::Mat image_sheet(const torch::Tensor& images, int64_t per_row) {
  const int64_t n = images.size(0), side = images.size(-1);
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3 && per_row > 0 && n % per_row == 0,
              "image_sheet: expected [n, 3, S, S] with n a multiple of ", per_row);
  // [rows, per_row, 3, S, S] -> [rows * S, per_row * S, 3], RGB -> BGR, 8 bits
  const torch::Tensor sheet = images.to(torch::kCPU, torch::kFloat32)
                                  .view({n / per_row, per_row, 3, side, side})
                                  .permute({0, 3, 1, 4, 2})
                                  .reshape({n / per_row * side, per_row * side, 3})
                                  .flip({2})
                                  .clamp(0, 1)
                                  .mul(255)
                                  .round()
                                  .to(torch::kUInt8)
                                  .contiguous();
  return cv::Mat(static_cast<int>(sheet.size(0)), static_cast<int>(sheet.size(1)), CV_8UC3,
                 sheet.data_ptr<uint8_t>())
      .clone();  // own the pixels: `sheet` dies here
}

int write_png(const cv::Mat& image, const std::filesystem::path& out) {
  bool written = false;
  try {
    written = cv::imwrite(out.string(), image, {cv::IMWRITE_PNG_COMPRESSION, 9});
  } catch (const cv::Exception&) {  // e.g. an extension OpenCV has no encoder for
  }
  if (!written) {
    std::cerr << "deltaedit: " << out.string() << ": cannot be written (use a .png name)\n";
    return kOutputProblem;
  }
  return kOk;
}

}  // namespace deltaedit::cli
