// libFuzzer target: the LightSB model and checkpoint readers (safetensors with
// the method's tensors and metadata). Whatever they accept must encode and
// read back to the same model.
#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  namespace ls = factorkit::lightsb;
  TensorFile f;
  try {
    f = read_safetensors(MemorySource(data, size, "fuzz.safetensors"));
  } catch (const Error&) {
    return 0;
  }
  try {
    const ls::Model m = ls::decode_model(f, "fuzz.safetensors");
    const ls::Model back = ls::decode_model(ls::encode_model(m), "again.safetensors");
    if (back.r != m.r || back.s != m.s || back.log_alpha_raw != m.log_alpha_raw || back.eps != m.eps ||
        back.rotation != m.rotation)
      std::abort();
  } catch (const Error&) {
  }
  try {
    // a checkpoint is read against the run settings it names (the command
    // compares them with its own)
    const auto run = f.metadata.find("run");
    // (parsed with the reader's own depth limit: a deeply nested string would
    // overflow the stack of a plain parse here, not in the reader)
    const nlohmann::json settings =
        run == f.metadata.end()
            ? nlohmann::json()
            : nlohmann::json::parse(run->second, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
                if (depth > 8) throw factorkit::InvalidInput("fuzz", "run", "flat", "Deep");
                return true;
              });
    const ls::FitState s = ls::decode_checkpoint(f, "fuzz.safetensors", settings);
    const ls::FitState back = ls::decode_checkpoint(ls::encode_checkpoint(s, settings), "again.safetensors", settings);
    if (back.step != s.step || back.losses != s.losses || back.model.r != s.model.r || back.v.s != s.v.s) std::abort();
  } catch (const Error&) {
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
