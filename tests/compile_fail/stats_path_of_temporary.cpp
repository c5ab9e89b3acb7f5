// Must NOT compile: stats_path's field borrows its root; a temporary would dangle.
#include <scxsnap/scxsnap.hpp>

int main() {
  auto f = scxsnap::stats_path(scxsnap::JsonValue::number(std::uint64_t{1}), "a.b");
  return f.is_present() ? 0 : 1;
}
