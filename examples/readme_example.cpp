#include <cstdio>
#include <scxsnap/scxsnap.hpp>

int main(int argc, char** argv) {
  auto report = scxsnap::load_report(argv[1]);  // Result<FailureDumpReport>
  if (!report) {
    std::fprintf(stderr, "%s\n", report.error().message().c_str());
    return 2;
  }
  scxsnap::Snapshot snap(*report);

  // A global variable (auto-resolves to the active scheduler when ambiguous).
  if (auto n = snap.var("nr_dispatched").as_u64())
    std::printf("dispatched %llu\n", (unsigned long long)*n);

  // A per-CPU map: one CPU's slot, and the sum over CPUs.
  if (auto m = snap.map("pcpu_stats")) {
    auto cpu2 = m->cpu(2).at(0).get("").as_u64();
    auto total = m->at(0).cpu_sum_u64("");
    if (total) std::printf("total %llu\n", (unsigned long long)*total);
    if (!cpu2) std::printf("cpu 2: %s\n", cpu2.error().message().c_str());
  }

  // Errors are typed: inspect the variant and its fields.
  auto miss = snap.var("no_such_var");
  if (const auto* e = miss.error(); e && e->is<scxsnap::errors::VarNotFound>())
    std::printf("%zu globals available\n",
                e->get_if<scxsnap::errors::VarNotFound>()->available.size());
}
