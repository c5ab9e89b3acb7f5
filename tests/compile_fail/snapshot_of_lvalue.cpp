// Must compile: the twins of the *_of_temporary.cpp cases with named owners
// (so their failures come from the deleted overloads, nothing else).
#include <scxsnap/scxsnap.hpp>

int main() {
  scxsnap::FailureDumpReport report;
  scxsnap::Snapshot s{report};
  scxsnap::FailureDumpMap map;
  scxsnap::SnapshotMap m{map};
  auto value = scxsnap::RenderedValue::make_uint(64, 1);
  auto f = scxsnap::SnapshotField::of(value);
  auto doc = scxsnap::JsonValue::number(std::uint64_t{1});
  auto j = scxsnap::JsonField::of(doc);
  auto p = scxsnap::stats_path(doc, "a.b");
  return static_cast<int>(s.map_count() + m.name().size()) + (f.is_present() ? 0 : 1) +
         (j.is_present() ? 0 : 1) + (p.is_present() ? 1 : 0);
}
