// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the tests: where the reference goldens are, and comparisons that explain themselves.
#pragma once

#include <torch/types.h>

#include <QString>
#include <string>

namespace daam::test {

// ../shared/reference (or $DAAM_REFERENCE_DIR); empty when absent. When $DAAM_REQUIRE_REFERENCE is set (CI),
// an absent folder ends the test process with an error instead.
std::string referenceDir();
// Path under the reference dir, or "" when the reference is absent.
std::string referencePath(const std::string& relative);
// tests/data in the source tree.
std::string testDataDir();
// A fresh temporary directory, removed when the process exits normally.
std::string makeTempDir(const std::string& tag);

// ‖out − ref‖ / ‖ref‖ computed in float64.
double relativeError(const torch::Tensor& out, const torch::Tensor& ref);

// Describes a mismatch: shapes, the relative error, the first values of each and the max difference.
QString describeDifference(const std::string& what, const torch::Tensor& out, const torch::Tensor& ref);

} // namespace daam::test

// QSKIP unless the reference folder is present.
#define DAAM_REQUIRE_REFERENCE()                                                                                       \
    do {                                                                                                               \
        if (daam::test::referenceDir().empty()) QSKIP("../shared/reference is absent");                                \
    } while (0)

// Fails with a self-explaining message when the relative error exceeds `tol`.
#define DAAM_COMPARE_TENSORS(what, out, ref, tol)                                                                      \
    do {                                                                                                               \
        const double daamRelErr_ = daam::test::relativeError((out), (ref));                                            \
        if (!(daamRelErr_ <= (tol))) QFAIL(qPrintable(daam::test::describeDifference((what), (out), (ref))));          \
    } while (0)
