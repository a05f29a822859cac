#include "http/json_mapping.hpp"

namespace pend::http {

const FieldSchema* TypeSchema::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace pend::http
