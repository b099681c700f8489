// The names of an enum's values, written once per enum as a table: parsing a configuration word, naming a
// value in outputs and listing the choices in an error message all read the same table, so they cannot drift
// apart. A value may have more than one name (aliases); its first entry is the one it is written with.
#ifndef VOXFLOW_CORE_ENUM_NAMES_HPP
#define VOXFLOW_CORE_ENUM_NAMES_HPP

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace voxflow {

template <class Enum>
struct EnumName {
  Enum value;
  char const* name;
};

template <class Enum, std::size_t N>
using EnumTable = std::array<EnumName<Enum>, N>;

// The value named `text` exactly, or nullopt.
template <class Enum, std::size_t N>
constexpr std::optional<Enum> parse_enum(EnumTable<Enum, N> const& table, std::string_view text) {
  for (auto const& entry : table)
    if (text == entry.name) return entry.value;
  return std::nullopt;
}

// Sets `out` to the value named `text` and returns true, or returns false and leaves `out` alone.
template <class Enum, std::size_t N>
constexpr bool parse_enum(EnumTable<Enum, N> const& table, std::string_view text, Enum& out) {
  auto const parsed = parse_enum(table, text);
  if (parsed) out = *parsed;
  return parsed.has_value();
}

// The name a value is written with (its first entry); "unknown" for a value missing from the table.
template <class Enum, std::size_t N>
constexpr char const* enum_name(EnumTable<Enum, N> const& table, Enum value) {
  for (auto const& entry : table)
    if (entry.value == value) return entry.name;
  return "unknown";
}

// Each value's written name, in table order, aliases left out.
template <class Enum, std::size_t N>
std::vector<std::string> enum_names(EnumTable<Enum, N> const& table) {
  std::vector<std::string> names;
  for (auto const& entry : table)
    if (enum_name(table, entry.value) == std::string_view(entry.name)) names.emplace_back(entry.name);
  return names;
}

// "a, b or c": the choices as an error message lists them.
template <class Enum, std::size_t N>
std::string enum_choices(EnumTable<Enum, N> const& table) {
  auto const names = enum_names(table);
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

}  // namespace voxflow

#endif
