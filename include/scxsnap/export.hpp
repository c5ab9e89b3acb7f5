// SPDX-License-Identifier: Apache-2.0
// SCXSNAP_API marks what the shared libraries export. They are built with
// -fvisibility=hidden, so everything else (the layers' internals) stays out
// of the dynamic symbol table.
#pragma once

#if defined(SCXSNAP_STATIC_DEFINE)
#define SCXSNAP_API
#else
#define SCXSNAP_API __attribute__((visibility("default")))
#endif
