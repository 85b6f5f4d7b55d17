#include "tests/demo_train/random_generator.h"

namespace deltaedit::demo_train {

nets::LoadedGenerator random_generator(const nets::GeneratorConfig& cfg, uint64_t seed,
                                       int64_t mean_of) {
  torch::manual_seed(seed);
  nets::LoadedGenerator g{nets::Generator(cfg), {}, "random-generator"};
  for (auto& p : g.net->parameters()) p.requires_grad_(false);
  torch::NoGradGuard no_grad;
  g.latent_avg = mean_of > 0 ? g.net->mapping(torch::randn({mean_of, cfg.style_dim})).mean(0)
                             : torch::zeros({cfg.style_dim});
  return g;
}

}  // namespace deltaedit::demo_train
