// SPDX-License-Identifier: Apache-2.0
// Umbrella header: everything a user of libscxsnap needs.
//   report.hpp   — FailureDumpReport, JSON read/write
//   snapshot.hpp — the typed Snapshot view (var, map, active, live_var, ...)
#pragma once

#include "scxsnap/bridge.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/capture.hpp"
#include "scxsnap/diff.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/expect.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/json_value.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/rendered_value.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/report_text.hpp"
#include "scxsnap/result.hpp"
#include "scxsnap/sample_series.hpp"
#include "scxsnap/series.hpp"
#include "scxsnap/series_file.hpp"
#include "scxsnap/snapshot.hpp"
#include "scxsnap/snapshot_error.hpp"
#include "scxsnap/version.hpp"
