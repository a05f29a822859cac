// Identifiers minted on the request path: request ids (UUIDv7 text: time-ordered, so they
// sort in logs) and W3C trace/span ids. Thread-local generator: no locks, no syscalls. Not for
// secrets; tokens use libsodium.
#pragma once

#include <string>

namespace pend::util {

std::string new_request_id();               // "0190c3f0-6c2e-7a4b-9d1e-2f3a4b5c6d7e"
char* write_request_id(char* out);          // the same into out[0..36); returns out + 36
std::string random_hex(std::size_t bytes);  // 2 * bytes lowercase hex digits, never all zero

}  // namespace pend::util
