// Uses the installed headers and library: parse a report, write it back.
#include <cstdio>
#include <scxsnap/scxsnap.hpp>

int main() {
  const char* json =
      R"({"schema":"single","maps":[{"name":"o.bss","map_type":2,"value_size":8,"max_entries":1,"value":{"kind":"struct","type_name":".bss","members":[{"name":"n","value":{"kind":"uint","bits":64,"value":18446744073709551615}}]}}]})";
  auto report = scxsnap::parse_report(json);
  if (!report) {
    std::fprintf(stderr, "parse failed: %s\n", report.error().message().c_str());
    return 1;
  }
  if (scxsnap::to_json(*report) != json) {
    std::fprintf(stderr, "round trip differs\n");
    return 1;
  }
  if (scxsnap::version() != SCXSNAP_VERSION_STRING) {
    std::fprintf(stderr, "library version differs from the headers'\n");
    return 1;
  }
  std::printf("consumer ok: %zu map(s), scxsnap %d.%d.%d\n", report->maps.size(),
              SCXSNAP_VERSION_MAJOR, SCXSNAP_VERSION_MINOR, SCXSNAP_VERSION_PATCH);
  return 0;
}
