// Loads BPF objects built from tests/bpf/*.bpf.c into the running kernel
// (real bpf(2) calls through libbpf); closing the object unloads it.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

struct LoadedObject {
  bpf_object* obj = nullptr;
  explicit LoadedObject(const std::string& file, const char* obj_name = nullptr) {
    std::string path = std::string(SCXSNAP_BPF_DIR) + "/" + file;
    LIBBPF_OPTS(bpf_object_open_opts, opts);
    opts.object_name = obj_name;
    obj = bpf_object__open_file(path.c_str(), &opts);
    if (!obj) {
      ADD_FAILURE() << "open " << path << ": " << std::strerror(errno);
      return;
    }
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
  static std::uint32_t id_of(bpf_map* m) {
    bpf_map_info info{};
    std::uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) != 0) return 0;
    return info.id;
  }
};
