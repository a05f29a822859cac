// The KYC API's types (docs/architecture/kyc.md), named like their components in
// docs/api/openapi.yaml. Submissions and documents answer as their rows show them: never a
// storage key, a key id or a document's contents.
#pragma once

#include "http/problems.hpp"
#include "util/time.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pend::domain::kyc::api {

enum class Verdict : std::uint8_t { approve, reject };
BOOST_DESCRIBE_ENUM(Verdict, approve, reject)
enum class CaseStatus : std::uint8_t { submitted, approved, rejected };
BOOST_DESCRIBE_ENUM(CaseStatus, submitted, approved, rejected)

struct NewSubmission {
  static constexpr std::string_view kSchema = "KycNewSubmission";
  std::int64_t target_tier = 0;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(NewSubmission, (), (target_tier))

struct DocumentVerdict {
  static constexpr std::string_view kSchema = "KycDocumentVerdict";
  std::string kind;
  Verdict decision = Verdict::approve;
  std::optional<std::string> reason;
};
BOOST_DESCRIBE_STRUCT(DocumentVerdict, (), (kind, decision, reason))

struct Decision {
  static constexpr std::string_view kSchema = "KycDecision";
  Verdict decision = Verdict::approve;
  std::optional<std::string> reason;  // required to reject: what the user is told
  std::optional<std::vector<DocumentVerdict>> documents;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(Decision, (), (decision, reason, documents))

struct QueueQuery {
  static constexpr std::string_view kSchema = "KycQueueQuery";
  std::optional<CaseStatus> status;  // submitted when absent
  std::optional<std::int64_t> target_tier;
  std::optional<std::string> user_id;
  std::optional<util::Microseconds> submitted_from;  // inclusive
  std::optional<util::Microseconds> submitted_to;    // exclusive
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(QueueQuery, (),
                      (status, target_tier, user_id, submitted_from, submitted_to, limit, cursor))

}  // namespace pend::domain::kyc::api
