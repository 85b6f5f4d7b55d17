#pragma once
// Contact sheets and PNG files written by the demo commands.
#include <filesystem>

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace deltaedit::cli {

// [n, 3, S, S] RGB in [0, 1] (n a multiple of per_row) -> one 8-bit BGR sheet, per_row images
// a row.
cv::Mat image_sheet(const torch::Tensor& images, int64_t per_row);

// Writes `image` in the format its extension names (cv::imwrite; a PNG for the .png names the
// demo commands document); on failure says why on stderr, naming the file. Returns kOk or
// kOutputProblem.
int write_png(const cv::Mat& image, const std::filesystem::path& out);

}  // namespace deltaedit::cli
