// Admin passwords: Argon2id (libsodium's crypto_pwhash_str, its "moderate" limits: about
// 0.5 s and 256 MiB). Both calls are slow by design: run them on the WorkPool, never on a
// shard's loop.
//
//   std::string stored = security::hash_password(password);     // "$argon2id$v=19$..."
//   bool ok = security::verify_password(stored, offered);
#pragma once

#include <string>
#include <string_view>

namespace pend::security {

std::string hash_password(std::string_view password);
// False for a wrong password and for a stored hash that is not one (never throws for that).
bool verify_password(std::string_view stored_hash, std::string_view password);
// A valid hash of no one's password: verified against when the account is unknown, so an
// unknown email costs what a known one does.
const std::string& decoy_password_hash();

}  // namespace pend::security
