#pragma once
// Puts an edited aligned face back into the original photo: the inverse of the alignment warp,
// blended with a feathered square mask. Pixels where the mask is zero stay bit-identical.
#include <opencv2/core.hpp>

#include "core/face/ffhq_align.h"
#include "core/face/rgb_image.h"

namespace deltaedit::face {

struct PasteOptions {
  // Width of the fade at the aligned square's edge, as a fraction of its side (so it scales
  // with the face). Corners are rounded by the same radius.
  double feather = 0.1;
};

// Weight (0..1) of the edited face at aligned-square position t in [0, 1]^2.
double paste_weight(cv::Point2d t, double feather);

// The photo pixels paste_back may change: the quad's bounding box, clipped to the photo.
cv::Rect paste_region(const AlignedFace& alignment, cv::Size photo_size);

// `edited` is the aligned face after editing, at any size (64, 256, 1024 ...): the transform is
// rescaled to it. Only paste_region() is read and written, so huge photos stay cheap.
void paste_back_in_place(RgbImage& photo, const AlignedFace& alignment, const RgbImage& edited,
                         const PasteOptions& options = {});
RgbImage paste_back(const RgbImage& photo, const AlignedFace& alignment, const RgbImage& edited,
                    const PasteOptions& options = {});

}  // namespace deltaedit::face
