#pragma once
// Geometry of an Encoder4Editing (e4e, IR-SE backbone) as read from its weights. Nothing is a
// hard-coded constant: the official ffhq_encode model (stem 64, depths 64/128/256/512, units
// 3/4/14/3, 18 styles of 512) and the reduced fixture model both come out of the same inference.
#include <cstdint>
#include <vector>

#include "core/io/state_dict.h"

namespace deltaedit::nets {

struct E4eConfig {
  struct Unit {  // one bottleneck_IR_SE of `body`
    int64_t in_channels = 0;
    int64_t depth = 0;
    int64_t stride = 1;          // 2 for the first unit of every stage
    bool conv_shortcut = false;  // Conv1x1 + BN when the width changes, else MaxPool2d(1, stride)
    int64_t se_channels = 0;     // SE bottleneck width (depth / 16 in e4e)
  };
  struct Style {  // one GradualStyleBlock of `styles`
    int64_t in_channels = 0;
    int64_t width = 0;      // conv width = linear in = linear out (the style dim)
    int64_t num_convs = 0;  // log2(spatial): 4, 5, 6 for the 16/32/64 maps
  };

  int64_t in_channels = 3;
  int64_t stem_width = 0;
  std::vector<Unit> units;
  std::vector<int64_t> stage_last_unit;  // index in `units` of each stage's last unit (4 stages)
  std::vector<Style> styles;
  int64_t fpn_width = 0;  // latlayer1/2 output channels (= last stage depth)
  // First style fed by the FPN's middle (p2) / fine (p1) features. e4e fixes these at 3 and 7;
  // here they are where the style blocks' conv count changes, which is the same thing.
  int64_t coarse_ind = 0;
  int64_t middle_ind = 0;

  int64_t style_count() const { return static_cast<int64_t>(styles.size()); }
  int64_t style_dim() const { return styles.empty() ? 0 : styles.front().width; }
  // Side of the square input image: four stride-2 stages make c3 = input / 16, and styles[0]
  // halves c3 down to 1x1, so input = 16 * 2^(its conv count): 256 for e4e, 64 for the demo's.
  int64_t input_size() const { return styles.empty() ? 0 : int64_t{16} << styles.front().num_convs; }
};

// Reads the geometry from the encoder's weights (keys without the "encoder." prefix).
// Throws io::ModelFileError naming the file and the missing key or the inconsistency.
E4eConfig infer_e4e_config(const io::StateDict& encoder_weights);

}  // namespace deltaedit::nets
