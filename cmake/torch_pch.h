// Precompiled for every target: LibTorch's headers dominate compile time otherwise.
#pragma once
#include <torch/torch.h>
#include <filesystem>
#include <string>
#include <vector>
