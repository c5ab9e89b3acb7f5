// SPDX-License-Identifier: Apache-2.0
// A layout plan: BTF types compiled once into flat nodes (offsets, widths,
// kinds, shared names) that the executors run per entry without touching
// BTF again.
#pragma once

#include "scxsnap/rendered_value.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

struct btf;
struct btf_type;

namespace scxsnap::btf_plan {

inline constexpr int kMaxNesting = 32;  // struct/array nesting rendered
inline constexpr int kMaxPeel = 32;     // typedef/qualifier chain length

enum class Op : std::uint8_t {
  Int,
  Uint,
  Bool,
  Char,
  Float,
  Enum,
  Struct,
  Array,
  CpuList,
  Ptr,
  Bytes,
  Unsupported
};

struct Member {
  SharedName name;
  std::uint32_t node = 0;
  std::uint32_t byte_off = 0;
  std::string json_prefix;  // {"name":"<name>","value":
};

struct EnumValue {
  std::int64_t value;  // normalised: sign- or zero-extended to 64 bits
  SharedName name;
  std::string json_tail;  // ,"variant":"<name>","is_signed":<b>}
};

struct Node {
  Op op = Op::Unsupported;
  bool is_signed = false;
  bool has_type_name = false;
  std::uint32_t size = 0;       // bytes this value occupies (truncation check)
  std::uint32_t bits = 0;       // reported width of Int/Uint/Enum/Float
  std::uint32_t bit_off = 0;    // bitfields: bit offset inside the first byte(s)
  std::uint32_t bf_bits = 0;    // bitfields: width to extract (0 = whole value)
  std::uint32_t first = 0;      // Struct: first member; Array: element node; Enum: first value;
                                // Ptr: the target's BTF type id
  std::uint32_t count = 0;      // Struct: members; Array: declared length; Enum: values
  std::uint32_t elem_size = 0;  // Array stride; CpuList: bitmap bytes
  std::uint32_t aux = 0;        // CpuList: bitmap byte offset; Unsupported: reason index
  SharedName type_name;
  /// Upper bound of the compact JSON bytes the full rendering takes
  /// (saturating); what the render budget is measured against.
  std::uint64_t cost = 0;
  // Compact JSON written around the node's value by the direct-JSON executor.
  std::string json_head;
  std::string json_tail;
};

/// Fill json_head/json_tail and cost of every node from `from_node` on
/// (after compilation; children always precede their parents).
void precompute_json(struct Plan& plan, std::size_t from_node, std::size_t from_member,
                     std::size_t from_enum);

struct Plan {
  std::vector<Node> nodes;
  std::vector<Member> members;
  std::vector<EnumValue> enum_values;
  std::vector<std::string> reasons;
  std::uint32_t max_array_elements = 4096;  // elements shown of one array
};

/// Compiles type ids into a Plan, memoising whole types by id.
class Compiler {
 public:
  Compiler(const struct btf* btf, Plan& plan) : btf_(btf), plan_(plan) {}
  /// Root node for `type_id` (compiled on first use).
  Result<std::uint32_t> compile(std::uint32_t type_id);

 private:
  // The dispatcher: peels, memoises, guards recursion, then one helper per
  // BTF kind (libbpf's btf_dump.c is the model).
  Result<std::uint32_t> compile_at(std::uint32_t type_id, int depth);
  Result<std::uint32_t> compile_kind(std::uint32_t id, const struct btf_type* t, int depth);
  Result<std::uint32_t> compile_int(std::uint32_t id, const struct btf_type* t);
  Result<std::uint32_t> compile_enum(std::uint32_t id, const struct btf_type* t);
  std::uint32_t compile_float(const struct btf_type* t);
  std::uint32_t compile_ptr(const struct btf_type* t);
  Result<std::uint32_t> compile_array(std::uint32_t id, const struct btf_type* t, int depth);
  /// STRUCT, UNION and DATASEC (a DATASEC is a struct of its variables).
  Result<std::uint32_t> compile_struct(const struct btf_type* t, int depth);
  std::uint32_t compile_cpumask(const struct btf_type* t, Node n);
  /// One member of a struct or variable of a datasec, at its offset.
  Result<Member> compile_member(const struct btf_type* t, std::uint32_t i, int depth);
  Result<std::uint32_t> peel(std::uint32_t type_id);
  std::uint32_t add(Node n);
  std::uint32_t unsupported(std::string reason);

  const struct btf* btf_;
  Plan& plan_;
  std::unordered_map<std::uint32_t, std::uint32_t> memo_;
  std::vector<std::uint32_t> in_progress_;
};

}  // namespace scxsnap::btf_plan
