// SPDX-License-Identifier: Apache-2.0
#include "elf_container.hpp"

#include <cstring>
#include <elf.h>
#include <fmt/format.h>

namespace scxsnap::native {
namespace {

std::string_view as_text(const void* p, std::size_t n) {
  return {static_cast<const char*>(p), n};
}

Error bad(const std::filesystem::path& p, const std::string& what) {
  return Error(ErrorCode::BadInput, fmt::format("{}: {}", p.string(), what));
}

}  // namespace

Result<ElfWriter> ElfWriter::create(const std::filesystem::path& path) {
  SCXSNAP_TRY(OutputFile f, OutputFile::create(path));
  if (!f.seekable())
    return Error(ErrorCode::InvalidArgument,
                 fmt::format("{}: a native snapshot is written to a regular file (its header is "
                             "completed last), not to standard output, a FIFO or a device",
                             path.string()));
  ElfWriter w(std::move(f));
  std::string header(sizeof(Elf64_Ehdr), '\0');  // completed by finish()
  SCXSNAP_TRY_VOID(w.write(header));
  return w;
}

Result<void> ElfWriter::pad_to(std::uint64_t align) {
  std::uint64_t rem = offset() % align;
  if (rem == 0) return {};
  return write(std::string(align - rem, '\0'));
}

void ElfWriter::add_section(std::string name, std::uint32_t type, std::uint64_t offset,
                            std::uint64_t size, std::uint64_t align) {
  sections_.push_back(Section{std::move(name), type, offset, size, align});
}

Result<void> ElfWriter::finish() {
  std::string names(1, '\0');
  std::vector<std::uint32_t> name_off;
  for (const auto& s : sections_) {
    name_off.push_back(static_cast<std::uint32_t>(names.size()));
    names += s.name;
    names += '\0';
  }
  const auto shstrtab_name = static_cast<std::uint32_t>(names.size());
  names += ".shstrtab";
  names += '\0';
  const std::uint64_t names_at = offset();
  SCXSNAP_TRY_VOID(write(names));
  SCXSNAP_TRY_VOID(pad_to(8));

  std::vector<Elf64_Shdr> table(sections_.size() + 2);  // [0] is the null section
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    Elf64_Shdr& h = table[i + 1];
    h.sh_name = name_off[i];
    h.sh_type = sections_[i].type;
    h.sh_offset = sections_[i].offset;
    h.sh_size = sections_[i].size;
    h.sh_addralign = sections_[i].align;
  }
  Elf64_Shdr& st = table.back();
  st.sh_name = shstrtab_name;
  st.sh_type = SHT_STRTAB;
  st.sh_offset = names_at;
  st.sh_size = names.size();
  st.sh_addralign = 1;
  const std::uint64_t table_at = offset();
  SCXSNAP_TRY_VOID(write(as_text(table.data(), table.size() * sizeof(Elf64_Shdr))));

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_NONE;
  eh.e_machine = EM_NONE;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shoff = table_at;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = static_cast<Elf64_Half>(table.size());
  eh.e_shstrndx = static_cast<Elf64_Half>(table.size() - 1);
  SCXSNAP_TRY_VOID(out_.write_at(0, as_text(&eh, sizeof eh)));
  return out_.commit();
}

bool ElfReader::looks_like_elf(std::string_view first) {
  return first.size() >= SELFMAG && std::memcmp(first.data(), ELFMAG, SELFMAG) == 0;
}

Result<ElfReader> ElfReader::open(const std::filesystem::path& path) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    return Error(ErrorCode::NotFound, fmt::format("{}: no such file", path.string()));
  if (!std::filesystem::is_regular_file(st))
    return bad(path, "a native snapshot must be a regular file");
  auto mapped = detail::MappedFile::open(path, 1);
  if (!mapped)
    return Error(ErrorCode::Io,
                 fmt::format("{}: cannot be read (empty, or the read failed)", path.string()));
  ElfReader r(path, std::move(*mapped));
  const std::uint64_t size = r.size();
  const std::uint8_t* d = r.data();
  if (size < sizeof(Elf64_Ehdr) || !looks_like_elf(as_text(d, size)))
    return bad(path, fmt::format("not an ELF file ({} bytes; an ELF header is {})", size,
                                 sizeof(Elf64_Ehdr)));
  Elf64_Ehdr eh;
  std::memcpy(&eh, d, sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64)
    return bad(path, "ELF header at offset 0: not a 64-bit ELF file");
  if (eh.e_ident[EI_DATA] !=
      (std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB))
    return bad(path, "ELF header at offset 0: written on a machine of the other byte order");
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
    return bad(path, fmt::format("ELF header at offset 0: bad section table description "
                                 "(entry size {}, {} entries, names in {})",
                                 eh.e_shentsize, eh.e_shnum, eh.e_shstrndx));
  const std::uint64_t table_end = eh.e_shoff + std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr);
  if (eh.e_shoff > size || table_end > size)
    return bad(path, fmt::format("the section table at offset {} runs past the end of the file "
                                 "({} bytes): the file is truncated",
                                 eh.e_shoff, size));
  std::vector<Elf64_Shdr> table(eh.e_shnum);
  std::memcpy(table.data(), d + eh.e_shoff, table.size() * sizeof(Elf64_Shdr));
  auto in_file = [&](const Elf64_Shdr& h) {
    return h.sh_type == SHT_NOBITS || (h.sh_offset <= size && h.sh_size <= size - h.sh_offset);
  };
  const Elf64_Shdr& names = table[eh.e_shstrndx];
  if (names.sh_type == SHT_NOBITS || !in_file(names))
    return bad(path, fmt::format("the section-name table at offset {} ({} bytes) runs past the "
                                 "end of the file ({} bytes): the file is truncated",
                                 names.sh_offset, names.sh_size, size));
  std::string_view strtab = as_text(d + names.sh_offset, names.sh_size);
  for (std::size_t i = 1; i < table.size(); ++i) {
    const Elf64_Shdr& h = table[i];
    if (h.sh_name >= strtab.size())
      return bad(path, fmt::format("section {}: its name is outside the name table", i));
    std::string_view name = strtab.substr(h.sh_name);
    name = name.substr(0, name.find('\0'));
    if (!in_file(h))
      return bad(path, fmt::format("section {} ({}) at offset {} ({} bytes) runs past the end of "
                                   "the file ({} bytes): the file is truncated",
                                   i, name, h.sh_offset, h.sh_size, size));
    if (h.sh_type == SHT_NOBITS) continue;
    r.sections_.push_back(Section{std::string(name), h.sh_offset, h.sh_size});
  }
  return r;
}

std::optional<ElfReader::Bytes> ElfReader::section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return Bytes(data() + s.offset, s.size);
  return std::nullopt;
}

}  // namespace scxsnap::native
