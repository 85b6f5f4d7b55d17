#include "core/nets/e4e/e4e_blocks.h"

#include "core/nets/common/half_storage.h"

namespace deltaedit::nets {
namespace {

using torch::nn::Conv2dOptions;

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, bool bias) {
  return torch::nn::Conv2d(Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(bias));
}

}  // namespace

SEModuleImpl::SEModuleImpl(int64_t channels, int64_t hidden) {
  fc1 = register_module("fc1", conv(channels, hidden, 1, 1, 0, false));
  fc2 = register_module("fc2", conv(hidden, channels, 1, 1, 0, false));
}

torch::Tensor SEModuleImpl::forward(const torch::Tensor& x) {
  auto gate = torch::adaptive_avg_pool2d(x, {1, 1});  // [B, C, 1, 1]
  gate = torch::sigmoid(fc2(torch::relu(fc1(gate))));
  return x * gate;
}

BottleneckIRSEImpl::BottleneckIRSEImpl(const E4eConfig::Unit& u) : stride(u.stride) {
  if (u.conv_shortcut) {
    shortcut_layer = register_module(
        "shortcut_layer", torch::nn::Sequential(conv(u.in_channels, u.depth, 1, u.stride, 0, false),
                                                torch::nn::BatchNorm2d(u.depth)));
  }
  res_layer = register_module(
      "res_layer",
      torch::nn::Sequential(torch::nn::BatchNorm2d(u.in_channels),
                            conv(u.in_channels, u.depth, 3, 1, 1, false),
                            torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(u.depth)),
                            conv(u.depth, u.depth, 3, u.stride, 1, false),
                            torch::nn::BatchNorm2d(u.depth), SEModule(u.depth, u.se_channels)));
}

torch::Tensor BottleneckIRSEImpl::forward(const torch::Tensor& x) {
  // MaxPool2d(kernel 1, stride s) just keeps every s-th pixel.
  auto shortcut =
      shortcut_layer ? shortcut_layer->forward(x) : torch::max_pool2d(x, {1, 1}, {stride, stride});
  return res_layer->forward(x) + shortcut;
}

GradualStyleBlockImpl::GradualStyleBlockImpl(const E4eConfig::Style& s) : width(s.width) {
  torch::nn::Sequential seq;
  for (int64_t i = 0; i < s.num_convs; ++i) {
    seq->push_back(conv(i == 0 ? s.in_channels : s.width, s.width, 3, 2, 1, true));
    seq->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.01)));
  }
  convs = register_module("convs", seq);
  linear = register_module("linear", EqualLinear(s.width, s.width));
}

torch::Tensor GradualStyleBlockImpl::forward(const torch::Tensor& x) {
  // The convs run here rather than through the Sequential so that half-stored weights
  // (Encoder4EditingImpl::store_styles_in_half) are widened one layer at a time.
  auto h = x;  // [B, C, R, R] -> ... -> [B, width, 1, 1]
  for (auto& layer : *convs) {
    if (auto* conv = layer.ptr()->as<torch::nn::Conv2dImpl>()) {
      const auto& o = conv->options;
      h = torch::conv2d(h, widened_to(conv->weight, h), widened_to(conv->bias, h), o.stride(),
                        c10::get<torch::ExpandingArray<2>>(o.padding()));
    } else {
      h = layer.forward(h);  // LeakyReLU
    }
  }
  return linear(h.view({-1, width}));
}

}  // namespace deltaedit::nets
