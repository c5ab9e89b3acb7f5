// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/version.hpp"

namespace scxsnap {

std::string_view version() {
  return SCXSNAP_VERSION_STRING;
}

}  // namespace scxsnap
