// libFuzzer target: `watch` JSON Lines. Never a crash; every error says
// something; an accepted series writes each row back to a line that reads
// again to the same row.
#include "scxsnap/sample_series.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto series = scxsnap::SampleSeries::parse_jsonl(text);
  if (!series) {
    if (series.error().message().empty()) std::abort();
    return 0;
  }
  std::string lines;
  for (const auto& row : series->rows()) {
    lines += scxsnap::SampleSeries::to_jsonl_line(row);
    lines += '\n';
  }
  auto again = scxsnap::SampleSeries::parse_jsonl(lines);
  if (!again || again->len() != series->len()) std::abort();
  for (std::size_t i = 0; i < series->len(); ++i)
    if (scxsnap::SampleSeries::to_jsonl_line(again->rows()[i]) !=
        scxsnap::SampleSeries::to_jsonl_line(series->rows()[i]))
      std::abort();
  return 0;
}
