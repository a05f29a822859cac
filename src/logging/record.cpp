#include "logging/record.hpp"

#include <cstring>

namespace pend::logging {

Category parse_category(std::string_view name) {
  if (name == "API") return Category::api;
  if (name == "BLOCKCHAIN") return Category::blockchain;
  if (name == "AUTH") return Category::auth;
  if (name == "KYC") return Category::kyc;
  if (name == "ADMIN") return Category::admin;
  if (name == "SECURITY") return Category::security;
  if (name == "PERFORMANCE") return Category::performance;
  if (name == "BUSINESS") return Category::business;
  if (name == "GENERAL") return Category::general;
  return Category::other;
}

void encode_header(char* header, const RecordMeta& meta, std::uint32_t body_length) {
  std::memcpy(header, &body_length, sizeof body_length);
  header[4] = static_cast<char>(meta.level);
  header[5] = static_cast<char>(meta.category);
  header[6] = static_cast<char>((meta.performance ? 1 : 0) | (meta.security ? 2 : 0));
  header[7] = static_cast<char>(meta.kind);
}

void encode_skip(char* header) {
  std::memcpy(header, &kSkipLength, sizeof kSkipLength);
  std::memset(header + sizeof kSkipLength, 0, kRecordHeader - sizeof kSkipLength);
}

RecordMeta decode_header(const char* header, std::uint32_t& body_length) {
  std::memcpy(&body_length, header, sizeof body_length);
  RecordMeta meta;
  meta.level = static_cast<Level>(header[4]);
  meta.category = static_cast<Category>(header[5]);
  meta.performance = (header[6] & 1) != 0;
  meta.security = (header[6] & 2) != 0;
  meta.kind = static_cast<RecordKind>(header[7]);
  return meta;
}

}  // namespace pend::logging
