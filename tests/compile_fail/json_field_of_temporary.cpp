// Must NOT compile: a JsonField borrowing a temporary document would dangle.
#include <scxsnap/scxsnap.hpp>

int main() {
  auto f = scxsnap::JsonField::of(scxsnap::JsonValue::number(std::uint64_t{1}));
  return f.is_present() ? 0 : 1;
}
