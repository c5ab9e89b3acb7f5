// libFuzzer target: `scxsnap check` expressions (scxsnap/expect.hpp). Never a crash; an error
// names the column; an accepted expression evaluates over a small series
// without crashing (errors allowed: unknown projections are bad usage).
#include "scxsnap/expect.hpp"
#include "scxsnap/sample_series.hpp"
#include "scxsnap/scxsnap.hpp"
#include "scxsnap/series.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
const scxsnap::SampleSeries& sample_series() {
  static const scxsnap::SampleSeries s = [] {
    auto r = scxsnap::SampleSeries::parse_jsonl(
        R"({"tag":"a","elapsed_ms":0,"report":{"schema":"single","maps":[{"name":"o.bss","map_type":2,"value_size":8,"max_entries":1,"value":{"kind":"struct","members":[{"name":"n","value":{"kind":"uint","bits":64,"value":1}}]}}]}})"
        "\n"
        R"({"tag":"b","elapsed_ms":10,"step_index":0,"report":{"schema":"single","maps":[{"name":"o.bss","map_type":2,"value_size":8,"max_entries":1,"value":{"kind":"struct","members":[{"name":"n","value":{"kind":"uint","bits":64,"value":5}}]}}]}})"
        "\n");
    if (!r) std::abort();
    return std::move(*r);
  }();
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto e = scxsnap::parse_expectation(text);
  if (!e) {
    if (e.error().message().empty()) std::abort();
    return 0;
  }
  auto o = scxsnap::evaluate_expectation(*e, sample_series());
  if (o) {
    // Every printer takes every outcome.
    std::vector<scxsnap::ExpectationOutcome> one{*o};
    if (scxsnap::outcomes_text(one, sample_series(), 10).empty() ||
        scxsnap::outcomes_json(one, sample_series(), "f").empty() ||
        scxsnap::outcomes_junit(one, sample_series(), "f").empty())
      std::abort();
  } else if (o.error().message().empty()) {
    std::abort();
  }
  return 0;
}
