// Must NOT compile: a Snapshot borrowing a temporary report would dangle.
#include <scxsnap/scxsnap.hpp>

int main() {
  scxsnap::Snapshot s{scxsnap::FailureDumpReport{}};
  return static_cast<int>(s.map_count());
}
