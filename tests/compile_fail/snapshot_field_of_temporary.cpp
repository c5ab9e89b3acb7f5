// Must NOT compile: a SnapshotField borrowing a temporary value would dangle.
#include <scxsnap/scxsnap.hpp>

int main() {
  auto f = scxsnap::SnapshotField::of(scxsnap::RenderedValue::make_uint(64, 1));
  return f.is_present() ? 0 : 1;
}
