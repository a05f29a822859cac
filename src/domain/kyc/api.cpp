#include "domain/kyc/api.hpp"

#include "config/kyc.hpp"
#include "domain/common/validation.hpp"
#include "util/uuid.hpp"

#include <algorithm>

namespace pend::domain::kyc::api {

void NewSubmission::validate(http::Problems& problems) const {
  check_range(problems, "target_tier", target_tier, 1, 5);
}

void Decision::validate(http::Problems& problems) const {
  if (reason) check_length(problems, "reason", *reason, 1, 1000);
  if (decision == Verdict::reject && !reason) {
    problems.add("reason", "required", "a rejection says why (the user is told)");
  }
  if (!documents) return;
  if (documents->size() > std::size(config::kDocumentKinds)) {
    problems.add("documents", "too_many", "one verdict per document kind at most");
  }
  for (std::size_t i = 0; i < documents->size(); ++i) {
    const auto& verdict = (*documents)[i];
    const std::string at = "documents[" + std::to_string(i) + "]";
    if (std::ranges::find(config::kDocumentKinds, verdict.kind) ==
        std::end(config::kDocumentKinds)) {
      problems.add(at + ".kind", "invalid_value", "not a document kind");
    }
    if (verdict.reason) check_length(problems, at + ".reason", *verdict.reason, 1, 1000);
    for (std::size_t j = 0; j < i; ++j) {
      if ((*documents)[j].kind == verdict.kind) {
        problems.add(at + ".kind", "duplicate", "one verdict per document");
      }
    }
  }
}

void QueueQuery::validate(http::Problems& problems) const {
  if (target_tier) check_range(problems, "target_tier", *target_tier, 1, 5);
  if (user_id && !util::is_uuid(*user_id)) {
    problems.add("user_id", "invalid_value", "must be a UUID");
  }
  if (submitted_from && submitted_to && *submitted_to <= *submitted_from) {
    problems.add("submitted_to", "invalid_value", "must be after submitted_from");
  }
}

}  // namespace pend::domain::kyc::api
