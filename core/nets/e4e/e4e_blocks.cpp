#include "core/nets/e4e/e4e_blocks.h"

#include "core/nets/common/half_storage.h"

namespace deltaedit::nets {
namespace {

using torch::nn::Conv2dOptions;

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, bool bias) {
  return torch::nn::Conv2d(Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(bias));
}

// A Conv2d with weights that may be stored in float16 (Encoder4EditingImpl::store_weights_in_half),
// widened just for this call. [B, in, H, W] -> [B, out, H', W']
torch::Tensor conv_widened(torch::nn::Conv2dImpl& conv, const torch::Tensor& x) {
  const auto& o = conv.options;
  return torch::conv2d(x, widened_to(conv.weight, x),
                       conv.bias.defined() ? widened_to(conv.bias, x) : torch::Tensor(), o.stride(),
                       c10::get<torch::ExpandingArray<2>>(o.padding()));
}

// Sequential::forward, except that its convs widen their weights one layer at a time.
torch::Tensor forward_widening(torch::nn::Sequential& seq, const torch::Tensor& x) {
  auto h = x;
  for (auto& layer : *seq) {
    if (auto* c = layer.ptr()->as<torch::nn::Conv2dImpl>())
      h = conv_widened(*c, h);
    else
      h = layer.forward(h);
  }
  return h;
}

}  // namespace

SEModuleImpl::SEModuleImpl(int64_t channels, int64_t hidden) {
  fc1 = register_module("fc1", conv(channels, hidden, 1, 1, 0, false));
  fc2 = register_module("fc2", conv(hidden, channels, 1, 1, 0, false));
}

torch::Tensor SEModuleImpl::forward(const torch::Tensor& x) {
  auto gate = torch::adaptive_avg_pool2d(x, {1, 1});  // [B, C, 1, 1]
  gate = torch::sigmoid(conv_widened(*fc2, torch::relu(conv_widened(*fc1, gate))));
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
      shortcut_layer ? forward_widening(shortcut_layer, x) : torch::max_pool2d(x, {1, 1}, {stride, stride});
  return forward_widening(res_layer, x) + shortcut;
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
  // [B, C, R, R] -> ... -> [B, width, 1, 1] -> [B, width]
  return linear(forward_widening(convs, x).view({-1, width}));
}

}  // namespace deltaedit::nets
