// Loads BPF objects built from tests/bpf/*.bpf.c into the running kernel
// (real bpf(2) calls through libbpf); closing the object unloads it.
#pragma once

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

struct LoadedObject {
  bpf_object* obj = nullptr;
  explicit LoadedObject(const std::string& file, const char* obj_name = nullptr,
                        const std::function<void(bpf_object*)>& before_load = {}) {
    std::string path = std::string(SCXSNAP_BPF_DIR) + "/" + file;
    LIBBPF_OPTS(bpf_object_open_opts, opts);
    opts.object_name = obj_name;
    obj = bpf_object__open_file(path.c_str(), &opts);
    if (!obj) {
      ADD_FAILURE() << "open " << path << ": " << std::strerror(errno);
      return;
    }
    if (before_load) before_load(obj);
    if (int err = bpf_object__load(obj); err != 0) {
      ADD_FAILURE() << "load " << path << ": " << std::strerror(-err);
      bpf_object__close(obj);
      obj = nullptr;
    }
  }
  ~LoadedObject() {
    if (obj) bpf_object__close(obj);
  }
  LoadedObject(const LoadedObject&) = delete;
  LoadedObject& operator=(const LoadedObject&) = delete;

  bpf_map* map_ending(const char* suffix) const {
    bpf_map* m = nullptr;
    bpf_object__for_each_map(m, obj) {
      if (std::string_view(bpf_map__name(m)).ends_with(suffix)) return m;
    }
    ADD_FAILURE() << "no map ending in " << suffix;
    return nullptr;
  }
  /// Overwrite a global variable in a loaded object's section map.
  void set_global(const char* section_suffix, const char* var, const void* data,
                  std::size_t size) const {
    bpf_map* m = map_ending(section_suffix);
    ASSERT_NE(m, nullptr);
    const struct btf* btf = bpf_object__btf(obj);
    std::string sec = std::string(".") + (std::string_view(section_suffix).substr(1).data());
    int ds = btf__find_by_name_kind(btf, sec.c_str(), BTF_KIND_DATASEC);
    ASSERT_GT(ds, 0) << sec;
    const struct btf_type* t = btf__type_by_id(btf, static_cast<std::uint32_t>(ds));
    std::vector<std::uint8_t> buf(bpf_map__value_size(m));
    std::uint32_t zero = 0;
    ASSERT_EQ(bpf_map_lookup_elem(bpf_map__fd(m), &zero, buf.data()), 0);
    const struct btf_var_secinfo* vs = btf_var_secinfos(t);
    for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
      const struct btf_type* v = btf__type_by_id(btf, vs[i].type);
      if (std::string_view(btf__name_by_offset(btf, v->name_off)) != var) continue;
      ASSERT_LE(vs[i].offset + size, buf.size());
      std::memcpy(buf.data() + vs[i].offset, data, size);
      ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(m), &zero, buf.data(), BPF_ANY), 0);
      return;
    }
    ADD_FAILURE() << "no variable " << var << " in " << sec;
  }
  static std::uint32_t id_of(bpf_map* m) {
    bpf_map_info info{};
    std::uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) != 0) return 0;
    return info.id;
  }
};

/// Waits (up to `timeout_ms`) until no map whose name starts with `prefix`
/// is left in the kernel. A process's maps outlive it by an RCU grace period
/// while its programs still hold them, so a test that counts an object's
/// maps waits for the previous test's copies to go first.
inline bool wait_for_no_maps(std::string_view prefix, int timeout_ms = 5000) {
  for (int waited = 0;; waited += 20) {
    bool found = false;
    for (__u32 id = 0; !found && bpf_map_get_next_id(id, &id) == 0;) {
      int fd = bpf_map_get_fd_by_id(id);
      if (fd < 0) continue;
      bpf_map_info info{};
      __u32 len = sizeof info;
      if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
          std::string_view(info.name).starts_with(prefix))
        found = true;
      close(fd);
    }
    if (!found) return true;
    if (waited >= timeout_ms) return false;
    usleep(20 * 1000);
  }
}

/// Registers a struct_ops map through a BPF link, so that closing the link
/// (also when the test process dies) unregisters it: nothing stays behind.
/// The map must have been loaded with BPF_F_LINK (see kStructOpsLinkFlag).
struct StructOpsLink {
  static constexpr std::uint32_t kLinkFlag = 1U << 13;  // BPF_F_LINK
  static constexpr int kAttachStructOps = 44;           // BPF_STRUCT_OPS (6.4+ uapi)
  bpf_link* value_link = nullptr;                       // libbpf 1.1: writes the map value (READY)
  int link_fd = -1;
  explicit StructOpsLink(bpf_map* m) {
    value_link = bpf_map__attach_struct_ops(m);
    if (libbpf_get_error(value_link)) {
      ADD_FAILURE() << "struct_ops value update failed";
      value_link = nullptr;
      return;
    }
    link_fd = bpf_link_create(bpf_map__fd(m), 0,
                              static_cast<enum bpf_attach_type>(kAttachStructOps), nullptr);
    if (link_fd < 0) ADD_FAILURE() << "struct_ops link_create failed: " << std::strerror(-link_fd);
  }
  ~StructOpsLink() {
    if (link_fd >= 0) ::close(link_fd);
    if (value_link) bpf_link__destroy(value_link);
  }
  StructOpsLink(const StructOpsLink&) = delete;
  StructOpsLink& operator=(const StructOpsLink&) = delete;
};

/// Why this kernel will not create a BPF arena, or empty when it will. Probed
/// once per process by creating a one-page arena. Some machines refuse
/// arenas (EPERM) while allowing every other map; a test that needs one
/// skips with this text (GTEST_SKIP), which names the errno and what is
/// known of the cause. The arena logic itself is covered without a kernel
/// (arena_pages_test.cpp).
/// BPF_MAP_TYPE_ARENA (Linux 6.9): Debian's libbpf 1.1 headers predate it, so
/// 33 is no enumerator there: clang refuses it as a constant and UBSan as a
/// value loaded from a bpf_map_type, so it stays an int up to the call.
inline int arena_map_type_value() {
  volatile int raw = 33;
  return raw;
}
inline int create_arena_map(const char* name, std::uint32_t pages, const bpf_map_create_opts* o) {
  return bpf_map_create(static_cast<bpf_map_type>(arena_map_type_value()), name, 0, 0, pages, o);
}

inline const std::string& arena_refusal() {
  static const std::string why = [] {
    LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
    const int fd = create_arena_map("probe_arena", 1, &o);
    if (fd >= 0) {
      ::close(fd);
      return std::string();
    }
    const int err = errno;
    std::string cause;
    switch (err) {
      case EPERM: {
        // What is known: the capability set and the locked-memory limit.
        std::string caps = "unknown";
        if (FILE* f = std::fopen("/proc/self/status", "r")) {
          char line[256];
          while (std::fgets(line, sizeof line, f))
            if (std::strncmp(line, "CapEff:", 7) == 0) {
              const unsigned long long eff = std::strtoull(line + 7, nullptr, 16);
              caps = std::string("CAP_BPF ") + ((eff >> 39) & 1 ? "present" : "absent") +
                     ", CAP_SYS_ADMIN " + ((eff >> 21) & 1 ? "present" : "absent") +
                     ", CAP_SYS_RESOURCE " + ((eff >> 24) & 1 ? "present" : "absent");
            }
          std::fclose(f);
        }
        rlimit ml{};
        ::getrlimit(RLIMIT_MEMLOCK, &ml);
        cause = "the kernel's policy refuses arenas to this process (" + caps +
                "; RLIMIT_MEMLOCK " +
                (ml.rlim_cur == RLIM_INFINITY ? std::string("unlimited")
                                              : std::to_string(ml.rlim_cur >> 10) + " KiB") +
                "); every other BPF map type is unaffected";
        break;
      }
      case EINVAL:
        cause = "this kernel does not know BPF_MAP_TYPE_ARENA (Linux 6.9+)";
        break;
      case ENOMEM:
        cause = "no memory or vmalloc space for the arena's 4 GiB kernel range";
        break;
      default:
        cause = "an unexpected answer";
        break;
    }
    return std::string(
               "this kernel refuses BPF arenas: BPF_MAP_CREATE of a one-page "
               "BPF_MAP_TYPE_ARENA failed with ") +
           strerrorname_np(err) + " (" + std::strerror(err) + "): " + cause;
  }();
  return why;
}

/// Skips the current test where the kernel refuses arenas, saying why.
#define SCXSNAP_SKIP_WITHOUT_ARENAS()                                                   \
  do {                                                                                  \
    if (const std::string& why_ = arena_refusal(); !why_.empty()) GTEST_SKIP() << why_; \
  } while (0)
