#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <random>

#include "factorkit/core/error.h"
#include "factorkit/core/torch_bridge.h"
#include "test_util.h"

using factorkit::testing::expect_error;
using factorkit::testing::zero_tensor;

using namespace factorkit;

TEST(TorchBridge, RoundTripEveryTorchDType) {
  std::mt19937_64 rng(7);
  for (DType dt : kAllDTypes) {
    if (dt == DType::U64 || dt == DType::U32 || dt == DType::U16) continue;
    RawTensor t;
    t.dtype = dt;
    t.shape = {3, 0, 2};
    if (dt != DType::F64) t.shape = {2, 3};
    t.data.resize(std::size_t(t.numel()) * dtype_size(dt));
    for (auto& b : t.data) b = std::byte(rng() & (dt == DType::BOOL ? 1 : 0xff));
    at::Tensor x = to_torch(t);
    EXPECT_EQ(x.dim(), int64_t(t.shape.size()));
    EXPECT_EQ(from_torch(x), t) << dtype_name(dt);
  }
}

TEST(TorchBridge, ValuesAndNonContiguousInput) {
  at::Tensor a = at::arange(6, at::kFloat).reshape({2, 3}).t();  // non-contiguous view
  RawTensor r = from_torch(a);
  EXPECT_EQ(r.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(r.element_as_double(1), 3);  // a[0][1] = original[1][0]
  EXPECT_TRUE(at::equal(to_torch(r), a.contiguous()));
}

TEST(TorchBridge, UnsignedWithoutTorchDTypeIsRefused) {
  RawTensor t = zero_tensor(DType::U32, {1});
  expect_error<InvalidInput>([&] { to_torch(t, "w.safetensors"); }, "UnsupportedDType", {"w.safetensors", "uint32"});
  EXPECT_THROW(from_torch(at::zeros({2}, at::kComplexFloat)), InvalidInput);
}
