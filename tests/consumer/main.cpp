// Uses the installed headers and libraries: parse a report, write it back;
// built with CONSUMER_WITH_CAPTURE it also renders bytes through BTF (the
// capture library); with CONSUMER_WITH_HTML it draws the report's page (the
// html library, which needs core only).
#include <cstdio>
#ifdef CONSUMER_WITH_CAPTURE
#include <scxsnap/scxsnap.hpp>
#elif defined(CONSUMER_WITH_HTML)
#include <scxsnap/html.hpp>
#include <scxsnap/snapshot.hpp>
#include <scxsnap/version.hpp>
#else
#include <scxsnap/report.hpp>
#include <scxsnap/snapshot.hpp>
#include <scxsnap/version.hpp>
#endif

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
  scxsnap::Snapshot snap(*report);
  if (auto n = snap.var("n").as_u64(); !n || *n != 18446744073709551615ull) {
    std::fprintf(stderr, "var n is wrong\n");
    return 1;
  }
#ifdef CONSUMER_WITH_CAPTURE
  scxsnap::BtfRenderer renderer(nullptr);
  if (renderer.type_size(1)) {
    std::fprintf(stderr, "a renderer without BTF sized a type\n");
    return 1;
  }
#endif
#if defined(CONSUMER_WITH_HTML) || defined(CONSUMER_WITH_CAPTURE)
  if (scxsnap::html::report_page(*report, "r.json", 8).find("o.bss") == std::string::npos) {
    std::fprintf(stderr, "the report's page does not show its map\n");
    return 1;
  }
#endif
  std::printf("consumer ok: %zu map(s), scxsnap %d.%d.%d\n", report->maps.size(),
              SCXSNAP_VERSION_MAJOR, SCXSNAP_VERSION_MINOR, SCXSNAP_VERSION_PATCH);
  return 0;
}
