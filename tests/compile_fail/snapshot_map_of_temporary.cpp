// Must NOT compile: a SnapshotMap borrowing a temporary map would dangle.
#include <scxsnap/scxsnap.hpp>

int main() {
  scxsnap::SnapshotMap m{scxsnap::FailureDumpMap{}};
  return static_cast<int>(m.name().size());
}
