// The KYC feature (docs/architecture/kyc.md): the app user's submissions and uploads under
// /api/v1/kyc, and compliance review under /api/v1/admin/kyc (permission kyc.review).
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::kyc {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::kyc
