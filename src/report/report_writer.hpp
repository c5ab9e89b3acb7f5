// SPDX-License-Identifier: Apache-2.0
// Pieces of the report writer, exposed inside the library so that capture can
// stream a report (head, one map at a time, tail) without building it whole.
#pragma once

#include "report/json/json_writer.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/report.hpp"

#include <functional>

namespace scxsnap::detail {

void write_rendered(JsonWriter& w, const RenderedValue& v);
/// write_rendered for a value whose children are written by `children`
/// instead: a Struct's members or an Array's elements (inside the brackets,
/// whose own lists are empty in a stub), a Ptr's deref (when it has one), a
/// Truncated's partial. The piecewise converter streams a huge value so.
using ChildWriter = std::function<void(JsonWriter&)>;
void write_rendered_with(JsonWriter& w, const RenderedValue& v, const ChildWriter* children);
/// Fields [from, to) of a map (kMapFields order), with their skip rules.
void write_map_fields(JsonWriter& w, const FailureDumpMap& m, std::size_t from, std::size_t to);
/// One element of a map's entry lists.
void write_item(JsonWriter& w, const FailureDumpEntry& e);
void write_item(JsonWriter& w, const FailureDumpArrayEntry& e);
void write_item(JsonWriter& w, const FailureDumpPercpuEntry& e);
void write_item(JsonWriter& w, const FailureDumpPercpuHashEntry& e);
void write_json_value(JsonWriter& w, const JsonValue& v);
/// A whole report; any dump kind.
void write_value(JsonWriter& w, const FailureDumpReport& r);
void write_dump(JsonWriter& w, const FailureDumpFile& dump);
/// `{"schema":…,"maps":[` — then write_map_to for each map, then the tail.
void write_report_head(JsonWriter& w, const FailureDumpReport& r);
void write_map_to(JsonWriter& w, const FailureDumpMap& m);
/// The two halves of a map object (inside begin_object/end_object): the
/// fields up to max_entries, and value..error. Capture streams a hash map's
/// entries between them.
void write_map_head(JsonWriter& w, const FailureDumpMap& m);
void write_map_rest(JsonWriter& w, const FailureDumpMap& m);
/// A whole map object as write_map_to writes it, with `between(w)` called
/// after each arena page (a capture flushes there: an arena's pages are
/// written as arrays of small integers, ~2 bytes of JSON per byte).
void write_map_paged(JsonWriter& w, const FailureDumpMap& m,
                     const std::function<void(JsonWriter&)>& between);
/// write_map_paged in three parts, for pages that arrive one at a time: the
/// map up to `"arena":{"pages":[`, then each page (write_page), then the rest
/// (m's arena holds its other fields; its pages are not looked at).
void write_map_until_pages(JsonWriter& w, const FailureDumpMap& m);
void write_page(JsonWriter& w, const ArenaPage& p);
void write_map_after_pages(JsonWriter& w, const FailureDumpMap& m);
/// `]` and every report field after `maps`, then the closing brace.
void write_report_tail(JsonWriter& w, const FailureDumpReport& r);

}  // namespace scxsnap::detail
