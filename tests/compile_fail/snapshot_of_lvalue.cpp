// Must compile: the twin of snapshot_of_temporary.cpp with a named report.
#include <scxsnap/scxsnap.hpp>

int main() {
  scxsnap::FailureDumpReport report;
  scxsnap::Snapshot s{report};
  return static_cast<int>(s.map_count());
}
